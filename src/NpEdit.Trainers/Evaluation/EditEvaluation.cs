using System.Diagnostics;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Evaluation;

/// <summary>One evaluated row: the edit, what the editor produced and the oracle's verdict.</summary>
public sealed record EditRowResult(long Index, EditSample Edit, RgbImage Output, EditScore Score);

/// <summary>Means of the oracle metrics over a set of rows.</summary>
public sealed record EditMetricsSummary(int Count, double EditSuccess, double Preserved, double Exact, double Psnr, double MaskedL1)
{
    public static EditMetricsSummary Of(IReadOnlyCollection<EditRowResult> rows) => rows.Count == 0
        ? new EditMetricsSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)
        : new EditMetricsSummary(
            rows.Count,
            rows.Average(r => r.Score.EditSuccess ? 1.0 : 0.0),
            rows.Average(r => r.Score.Preserved ? 1.0 : 0.0),
            rows.Average(r => r.Score.Exact ? 1.0 : 0.0),
            rows.Average(r => r.Score.Psnr),
            rows.Average(r => r.Score.MaskedL1Outside));
}

/// <summary>Evaluation over held-out rows: overall, per edit category, and every row (for confidence intervals).</summary>
public sealed record EditEvaluationResult(
    string Editor,
    EditMetricsSummary Overall,
    IReadOnlyDictionary<string, EditMetricsSummary> ByCategory,
    IReadOnlyList<EditRowResult> Rows,
    double Seconds);

/// <summary>
/// Runs an editor over the world's evaluation rows (the held-out split, ground truth known) and scores every output
/// with the oracle (<see cref="EditMetrics"/>): edit success, preservation, exact scene match, PSNR to the rendered
/// target, L1 outside the edit region. Every system is evaluated on the same rows for a given seed.
/// </summary>
public static class EditEvaluation
{
    public static EditEvaluationResult Run(IImageEditor editor, int count, int seed, int size = SceneRenderer.DefaultSize, int batchSize = 50,
        IProgress<int>? progress = null, WorldSplit split = WorldSplit.Eval)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<EditRowResult>(count);
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var edits = Enumerable.Range(start, n).Select(i => WorldRows.Edit(seed, i, split)).ToList();
            var requests = edits.Select(e => new EditRequest(SceneRenderer.Render(e.Source, size), e.Instruction, e.SourceCaption, e.EditedCaption)).ToList();
            var outputs = editor.Edit(requests, Enumerable.Range(start, n).Select(i => (long)seed * 1_000_003L + i).ToList());
            for (int k = 0; k < n; k++)
            {
                var score = EditMetrics.Evaluate(outputs[k], edits[k].Source, edits[k].Target, edits[k].EditType);
                results.Add(new EditRowResult(start + k, edits[k], outputs[k], score));
            }
            progress?.Report(start + n);
        }
        var byCategory = results.GroupBy(r => Category(r.Edit.EditType))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => EditMetricsSummary.Of(g.ToList()));
        return new EditEvaluationResult(editor.Name, EditMetricsSummary.Of(results), byCategory, results, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The category key used in reports (snake case of the edit type).</summary>
    public static string Category(EditType type) => type switch
    {
        EditType.DoNothing => "do_nothing",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>A contact sheet of rows: source, output, target per row, labelled with the instruction.</summary>
    /// <param name="label">The text under each source (default: the instruction; pass the edited caption for an editor
    /// that was given it).</param>
    public static RgbImage ContactSheet(IEnumerable<EditRowResult> rows, int size = SceneRenderer.DefaultSize, int scale = 3, Func<EditSample, string>? label = null)
    {
        label ??= edit => edit.Instruction;
        var sheet = new ContactSheet(columns: 3, padding: 3, scale: scale);
        foreach (var row in rows)
        {
            sheet.Add(SceneRenderer.Render(row.Edit.Source, size), Shorten(label(row.Edit)));
            sheet.Add(row.Output, (row.Score.EditSuccess ? "ok" : "fail") + (row.Score.Preserved ? "" : " drift"));
            sheet.Add(SceneRenderer.Render(row.Edit.Target, size), "target");
        }
        return sheet.Build();
    }

    private static string Shorten(string text) => text.Length <= 30 ? text : text[..29] + ".";
}
