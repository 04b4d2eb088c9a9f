using Microsoft.ML.Tokenizers;

namespace NpEdit.Trainers.Vlm;

/// <summary>
/// A small model vocabulary carved out of a large tokenizer's: model id i stands for base id <see cref="BaseIds"/>[i].
/// Why: the tiny judge only ever reads the world's question language, and a 50k-row embedding would dominate
/// its parameters and its CPU time. The mapping is lossless for ASCII text: a base token outside the compact set
/// is replaced by the base tokens of its individual characters, all of which are always included (byte fallback).
/// Only non-ASCII characters outside the set become <see cref="UnknownId"/>. Real-size models use no compact vocabulary.
/// </summary>
public sealed class CompactVocabulary
{
    private readonly Dictionary<int, int> _toModel;
    private readonly Dictionary<int, int[]> _fallback = new();
    private readonly Tokenizer _base;

    /// <summary>Model id 0: unknown (and padding, which attention never reads).</summary>
    public const int UnknownId = 0;

    public CompactVocabulary(Tokenizer baseTokenizer, IReadOnlyList<int> baseIds)
    {
        _base = baseTokenizer;
        BaseIds = baseIds.ToArray();
        _toModel = new Dictionary<int, int>(BaseIds.Count);
        for (int i = 0; i < BaseIds.Count; i++)
        {
            if (BaseIds[i] < 0) continue; // slot 0 is the unknown token, which has no base id
            if (!_toModel.TryAdd(BaseIds[i], i)) throw new ArgumentException($"Base id {BaseIds[i]} appears twice.", nameof(baseIds));
        }
    }

    /// <summary>Base id per model id; entry 0 is -1 (unknown).</summary>
    public IReadOnlyList<int> BaseIds { get; }

    public int Count => BaseIds.Count;

    /// <summary>
    /// The vocabulary that covers <paramref name="corpus"/> (as the base tokenizer splits it), every printable
    /// ASCII character as a single token, and <paramref name="specialTokens"/>; sorted by base id so it depends
    /// only on the set, not on corpus order.
    /// </summary>
    public static CompactVocabulary Build(Tokenizer baseTokenizer, IEnumerable<string> corpus, IEnumerable<string> specialTokens)
    {
        var ids = new SortedSet<int>();
        for (char c = ' '; c <= '~'; c++) AddSingle(baseTokenizer, c.ToString(), ids);
        AddSingle(baseTokenizer, "\n", ids);
        foreach (var special in specialTokens) AddSingle(baseTokenizer, special, ids);
        foreach (var text in corpus)
        {
            foreach (var id in baseTokenizer.EncodeToIds(text)) ids.Add(id);
        }
        return new CompactVocabulary(baseTokenizer, new[] { -1 }.Concat(ids).ToArray());
    }

    /// <summary>Model ids for base ids, expanding tokens outside the set into character tokens.</summary>
    public IReadOnlyList<int> ToModel(IEnumerable<int> baseIds)
    {
        var result = new List<int>();
        foreach (var id in baseIds)
        {
            if (_toModel.TryGetValue(id, out var modelId)) result.Add(modelId);
            else result.AddRange(Fallback(id));
        }
        return result;
    }

    /// <summary>The model id of one base id, or -1 when it is not in the set.</summary>
    public int ModelIdOf(int baseId) => _toModel.TryGetValue(baseId, out var id) ? id : -1;

    private int[] Fallback(int baseId)
    {
        lock (_fallback)
        {
            if (_fallback.TryGetValue(baseId, out var cached)) return cached;
            var text = _base.Decode(new[] { baseId }) ?? string.Empty;
            var ids = new List<int>();
            foreach (var c in text)
            {
                var single = _base.EncodeToIds(c.ToString());
                ids.Add(single.Count == 1 && _toModel.TryGetValue(single[0], out var m) ? m : UnknownId);
            }
            var result = ids.Count == 0 ? new[] { UnknownId } : ids.ToArray();
            _fallback[baseId] = result;
            return result;
        }
    }

    private static void AddSingle(Tokenizer tokenizer, string text, ISet<int> ids)
    {
        var encoded = tokenizer.EncodeToIds(text);
        if (encoded.Count != 1) throw new InvalidOperationException($"'{text}' is not a single token of the base tokenizer.");
        ids.Add(encoded[0]);
    }
}
