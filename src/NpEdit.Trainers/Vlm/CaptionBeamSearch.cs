namespace NpEdit.Trainers.Vlm;

/// <summary>
/// Beam search over caption tokens for several items at once, scored by the summed log-probability. Why: greedy
/// decoding commits to the first token of a word even when the most likely caption as a whole starts otherwise;
/// a writer that hesitates between two readings of a small shape can then end in a caption neither reading gives.
/// The model is reached only through <c>nextLogProbs</c>, so the search is tested without a VLM.
/// </summary>
internal static class CaptionBeamSearch
{
    /// <summary>An open hypothesis: the item it belongs to and the tokens written so far.</summary>
    internal readonly record struct Hypothesis(int Item, IReadOnlyList<int> Written);

    /// <summary>
    /// The best caption (without its end token) for each of <paramref name="items"/> items. <paramref name="nextLogProbs"/>
    /// gives, for each open hypothesis in order, the log-probabilities of every next token.
    /// </summary>
    public static IReadOnlyList<int>[] Run(int items, int beamWidth, int maxTokens, int endId, Func<IReadOnlyList<Hypothesis>, float[][]> nextLogProbs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var open = Enumerable.Range(0, items).Select(_ => new List<(List<int> Tokens, double Score)> { (new List<int>(), 0.0) }).ToArray();
        var best = new (List<int> Tokens, double Score)?[items];
        for (int t = 0; t < maxTokens; t++)
        {
            var hypotheses = new List<Hypothesis>();
            for (int item = 0; item < items; item++)
            {
                foreach (var beam in open[item]) hypotheses.Add(new Hypothesis(item, beam.Tokens));
            }
            if (hypotheses.Count == 0) break;
            var logProbs = nextLogProbs(hypotheses);
            int row = 0;
            for (int item = 0; item < items; item++)
            {
                var candidates = new List<(List<int> Tokens, double Score, bool Ends)>();
                foreach (var beam in open[item])
                {
                    var lp = logProbs[row++];
                    foreach (int token in TopTokens(lp, beamWidth))
                    {
                        bool ends = token == endId;
                        var tokens = ends ? beam.Tokens : new List<int>(beam.Tokens) { token };
                        candidates.Add((tokens, beam.Score + lp[token], ends));
                    }
                }
                var next = new List<(List<int>, double)>();
                foreach (var c in candidates.OrderByDescending(c => c.Score).Take(beamWidth))
                {
                    if (!c.Ends) next.Add((c.Tokens, c.Score));
                    else if (best[item] is null || c.Score > best[item]!.Value.Score) best[item] = (c.Tokens, c.Score);
                }
                // Scores only fall as tokens are added, so no open beam can beat a finished caption that already scores higher.
                open[item] = best[item] is { } done ? next.Where(b => b.Item2 > done.Score).ToList() : next;
            }
        }
        var result = new IReadOnlyList<int>[items];
        for (int item = 0; item < items; item++)
        {
            // A caption still open after maxTokens is returned as it stands, as greedy decoding does.
            var unfinished = open[item].OrderByDescending(b => b.Score).FirstOrDefault();
            result[item] = best[item]?.Tokens ?? unfinished.Tokens ?? new List<int>();
        }
        return result;
    }

    private static IEnumerable<int> TopTokens(float[] logProbs, int k)
    {
        // Ties go to the lower id, as argmax does, so width 1 is greedy decoding.
        return Enumerable.Range(0, logProbs.Length).OrderByDescending(i => logProbs[i]).ThenBy(i => i).Take(k);
    }
}
