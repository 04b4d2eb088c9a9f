using System.Diagnostics;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Evaluation;

/// <summary>One held-out edit, the caption a writer wrote for it, and whether that caption describes the edited scene.</summary>
public sealed record WrittenCaption(EditSample Edit, string Written, bool Correct);

public sealed record EditedCaptionEvaluationResult(IReadOnlyList<WrittenCaption> Rows, double Accuracy,
    IReadOnlyList<(string Category, double Accuracy, int Count)> ByCategory, double Seconds);

/// <summary>
/// Scores an <see cref="EditedCaptionWriter"/> on the world's evaluation rows (the same rows and seeds as
/// <see cref="EditEvaluation"/>): a written caption is right when it describes the edited scene exactly, in any of
/// the world's phrasings (<see cref="CaptionMatch"/>).
/// </summary>
public static class EditedCaptionEvaluation
{
    public static EditedCaptionEvaluationResult Run(EditedCaptionWriter writer, int count, int seed, IProgress<int>? progress = null,
        int size = SceneRenderer.DefaultSize, int batchSize = 50)
    {
        var clock = Stopwatch.StartNew();
        var rows = new List<WrittenCaption>(count);
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var edits = Enumerable.Range(start, n).Select(i => WorldRows.Edit(seed, i, WorldSplit.Eval)).ToList();
            var written = writer.Write(edits.Select(e => SceneRenderer.Render(e.Source, size)).ToList(), edits.Select(e => e.Instruction).ToList());
            for (int k = 0; k < n; k++) rows.Add(new WrittenCaption(edits[k], written[k], CaptionMatch.Describes(written[k], edits[k].Target)));
            progress?.Report(start + n);
        }
        var byCategory = rows.GroupBy(r => EditEvaluation.Category(r.Edit.EditType)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Average(r => r.Correct ? 1.0 : 0.0), g.Count())).ToList();
        return new EditedCaptionEvaluationResult(rows, rows.Count == 0 ? 0 : rows.Average(r => r.Correct ? 1.0 : 0.0), byCategory, clock.Elapsed.TotalSeconds);
    }
}
