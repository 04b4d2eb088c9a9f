using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Evaluation;

/// <summary>
/// What an evaluation row holds that training never showed (<see cref="HeldOut"/>): an instruction phrased with a
/// held-out template, else a held-out colour/shape combination in the source or the edited scene, else nothing.
/// Why: a model that has seen no language beyond the world's cannot know what an unseen phrasing means (a pretrained
/// VLM would), so reports split the metrics this way to show how much of an error rate is that and how much is not.
/// Caption templates are not counted: no editor reads the evaluation row's captions (only <c>--text</c> does).
/// </summary>
public static class RowNovelty
{
    public const string HeldOutPhrasing = "held_out_phrasing";
    public const string HeldOutCombination = "held_out_combination";
    public const string Seen = "seen";

    /// <summary>The groups in reporting order.</summary>
    public static IReadOnlyList<string> Groups { get; } = [Seen, HeldOutCombination, HeldOutPhrasing];

    public static string Of(EditSample edit) =>
        HeldOut.IsHeldOutTemplate(edit.InstructionTemplateId) ? HeldOutPhrasing
        : HeldOut.ContainsHeldOutCombination(edit.Source) || HeldOut.ContainsHeldOutCombination(edit.Target) ? HeldOutCombination
        : Seen;

    /// <summary>The metrics of each group that has rows, in <see cref="Groups"/> order.</summary>
    public static IReadOnlyList<KeyValuePair<string, EditMetricsSummary>> Summaries(IEnumerable<EditRowResult> rows)
    {
        var byGroup = rows.GroupBy(r => Of(r.Edit)).ToDictionary(g => g.Key, g => EditMetricsSummary.Of(g.ToList()));
        return Groups.Where(byGroup.ContainsKey).Select(g => new KeyValuePair<string, EditMetricsSummary>(g, byGroup[g])).ToList();
    }

    /// <summary>The share of correct written captions in each group that has rows, in <see cref="Groups"/> order.</summary>
    public static IReadOnlyList<(string Group, double Accuracy, int Count)> Summaries(IEnumerable<WrittenCaption> rows)
    {
        var byGroup = rows.GroupBy(r => Of(r.Edit)).ToDictionary(g => g.Key, g => (g.Average(r => r.Correct ? 1.0 : 0.0), g.Count()));
        return Groups.Where(byGroup.ContainsKey).Select(g => (g, byGroup[g].Item1, byGroup[g].Item2)).ToList();
    }
}
