using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// GPT-2 byte-pair encoding (Microsoft.ML.Tokenizers) mapped onto a compact vocabulary: only the GPT-2 ids that the
/// model was built for get an embedding row, so a tiny model does not carry a 50k-row table. Ids outside the compact
/// vocabulary become UNK. Every sequence starts with BOS (so the empty prompt used for classifier-free guidance still
/// has one real token) and is padded with PAD to a fixed length.
/// </summary>
public sealed partial class TextTokenizer
{
    public const int Pad = 0;
    public const int Unk = 1;
    public const int Bos = 2;
    public const int SpecialCount = 3;

    private static readonly Lazy<Tokenizer> Gpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private readonly Dictionary<int, int> _compactOf;

    /// <param name="gpt2Ids">The GPT-2 ids that have embedding rows, in row order (row = SpecialCount + index).</param>
    public TextTokenizer(IReadOnlyList<int> gpt2Ids, int maxLength)
    {
        Gpt2Ids = gpt2Ids;
        MaxLength = maxLength;
        _compactOf = new Dictionary<int, int>(gpt2Ids.Count);
        for (int i = 0; i < gpt2Ids.Count; i++) _compactOf[gpt2Ids[i]] = SpecialCount + i;
    }

    public IReadOnlyList<int> Gpt2Ids { get; }
    public int MaxLength { get; }
    public int VocabSize => SpecialCount + Gpt2Ids.Count;

    /// <summary>Lower-cases and collapses whitespace so "Make the Circle  BLUE" and "make the circle blue" match.</summary>
    public static string Normalize(string text) => Whitespace().Replace(text.Trim().ToLowerInvariant(), " ");

    /// <summary>The distinct GPT-2 ids of a corpus, sorted: the compact vocabulary for <see cref="TextTokenizer"/>.</summary>
    public static int[] BuildVocabulary(IEnumerable<string> corpus)
    {
        var ids = new SortedSet<int>();
        foreach (var text in corpus)
        {
            foreach (var id in Gpt2.Value.EncodeToIds(Normalize(text))) ids.Add(id);
        }
        return ids.ToArray();
    }

    /// <summary>Token count of a text before padding (including BOS); longer texts are truncated by <see cref="Encode"/>.</summary>
    public int CountTokens(string text) => 1 + Gpt2.Value.CountTokens(Normalize(text));

    /// <summary>Compact ids [MaxLength] and the mask of real tokens.</summary>
    public (long[] Ids, bool[] Mask) Encode(string text)
    {
        var ids = new long[MaxLength];
        var mask = new bool[MaxLength];
        ids[0] = Bos;
        mask[0] = true;
        int i = 1;
        foreach (var id in Gpt2.Value.EncodeToIds(Normalize(text)))
        {
            if (i >= MaxLength) break;
            ids[i] = _compactOf.TryGetValue(id, out var c) ? c : Unk;
            mask[i] = true;
            i++;
        }
        return (ids, mask);
    }

    /// <summary>[B, MaxLength] ids and [B, MaxLength] mask tensors.</summary>
    public (Tensor Ids, Tensor Mask) EncodeBatch(IReadOnlyList<string> texts, Device? device = null)
    {
        var ids = new long[texts.Count * MaxLength];
        var mask = new bool[texts.Count * MaxLength];
        for (int b = 0; b < texts.Count; b++)
        {
            var (i, m) = Encode(texts[b]);
            Array.Copy(i, 0, ids, b * MaxLength, MaxLength);
            Array.Copy(m, 0, mask, b * MaxLength, MaxLength);
        }
        var idsT = torch.tensor(ids, dtype: ScalarType.Int64).view(texts.Count, MaxLength);
        var maskT = torch.tensor(mask).view(texts.Count, MaxLength);
        if (device is not null && device.type != DeviceType.CPU)
        {
            return (idsT.to(device), maskT.to(device));
        }
        return (idsT, maskT);
    }

    /// <summary>How many of a text's words fall outside the compact vocabulary (for input validation).</summary>
    public int CountUnknown(string text) => Gpt2.Value.EncodeToIds(Normalize(text)).Count(id => !_compactOf.ContainsKey(id));

    [GeneratedRegex("\\s+")]
    private static partial Regex Whitespace();
}
