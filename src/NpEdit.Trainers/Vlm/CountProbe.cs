using NpEdit.Trainers.Synthetic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A training-only linear read-out of a judge decoder's residual stream at every image's cell tokens, after a middle
/// layer: at cell k (row-major), the number of objects in cells 0..k. Why: count questions are one bit about a sum
/// over nine cells, and on perfect scene tokens the decoder answered them at chance (about 0.6) after every other
/// single-image kind was learned (measured, docs/judge.md). The causal decoder can only sum what lies before a token,
/// so the running count is the label each cell can hold; at the ninth cell it is the image's count.
/// </summary>
public sealed class CountProbe : nn.Module
{
    private const int Cells = SceneLayout.GridSize * SceneLayout.GridSize;
    /// <summary>Classes of the running count: 0 to 9 objects.</summary>
    public const int Classes = Cells + 1;

#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Linear head;
#pragma warning restore IDE1006

    public CountProbe(int hiddenSize) : base(nameof(CountProbe))
    {
        head = nn.Linear(hiddenSize, Classes);
        RegisterComponents();
    }

    /// <summary>Labels <c>[9]</c>: the objects in cells 0..k, for each cell k in row-major order.</summary>
    public static long[] Labels(Scene scene)
    {
        var labels = new long[Cells];
        long running = 0;
        for (int cell = 0; cell < Cells; cell++)
        {
            if (scene.Objects.Any(o => o.CellIndex == cell)) running++;
            labels[cell] = running;
        }
        return labels;
    }

    /// <summary>
    /// Mean cross-entropy over the cells of every image of the given prompt rows, read at the first 9 tokens of each
    /// image in <paramref name="tapped"/> (<c>[B,T,D]</c>); <paramref name="imagePositions"/> holds each row's flat
    /// image-token indices (<see cref="PromptImageTokens.FlatPositions"/>).
    /// </summary>
    public Tensor Loss(Tensor tapped, long[][] imagePositions, int tokensPerImage, IReadOnlyList<(int Row, IReadOnlyList<Scene> Scenes)> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("At least one row is needed.", nameof(rows));
        if (tokensPerImage < Cells) throw new ArgumentException($"Count labels need {Cells} cell tokens per image; the judge has {tokensPerImage}.", nameof(tokensPerImage));
        using var scope = NewDisposeScope();
        var index = new List<long>();
        var labels = new List<long>();
        foreach (var (row, scenes) in rows)
        {
            var positions = imagePositions[row];
            if (positions.Length != scenes.Count * tokensPerImage)
                throw new ArgumentException($"Prompt row {row} holds {positions.Length / tokensPerImage} images; its row has {scenes.Count} scenes.", nameof(rows));
            for (int image = 0; image < scenes.Count; image++)
            {
                for (int cell = 0; cell < Cells; cell++) index.Add(positions[image * tokensPerImage + cell]);
                labels.AddRange(Labels(scenes[image]));
            }
        }
        var device = tapped.device;
        var states = tapped.reshape(-1, tapped.shape[2]).index_select(0, torch.tensor(index.ToArray(), device: device));
        var logits = head.call(states).to(ScalarType.Float32);
        return nn.functional.cross_entropy(logits, torch.tensor(labels.ToArray(), device: device)).MoveToOuterDisposeScope();
    }
}
