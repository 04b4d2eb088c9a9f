using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Token sequences of different lengths as one left-padded batch: <c>InputIds</c> and <c>AttentionMask</c>
/// <c>[B,T]</c>. Left padding puts every prompt's last token (where the answer is predicted) at position T-1.
/// </summary>
public sealed class PromptBatch : IDisposable
{
    private PromptBatch(Tensor inputIds, Tensor attentionMask)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
    }

    public Tensor InputIds { get; }
    public Tensor AttentionMask { get; }

    public static PromptBatch LeftPadded(IReadOnlyList<int[]> sequences, int padId, Device? device = null)
    {
        if (sequences.Count == 0) throw new ArgumentException("At least one sequence is needed.", nameof(sequences));
        int length = sequences.Max(s => s.Length);
        if (length == 0) throw new ArgumentException("Sequences must not be empty.", nameof(sequences));
        var ids = new long[sequences.Count * length];
        var mask = new long[sequences.Count * length];
        for (int row = 0; row < sequences.Count; row++)
        {
            var s = sequences[row];
            int offset = row * length + (length - s.Length);
            Array.Fill(ids, padId, row * length, length - s.Length);
            for (int i = 0; i < s.Length; i++)
            {
                ids[offset + i] = s[i];
                mask[offset + i] = 1;
            }
        }
        var inputIds = torch.tensor(ids, new long[] { sequences.Count, length }, dtype: ScalarType.Int64, device: device);
        var attention = torch.tensor(mask, new long[] { sequences.Count, length }, dtype: ScalarType.Int64, device: device);
        return new PromptBatch(inputIds, attention);
    }

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
    }
}
