using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;

namespace NpEdit.Trainers.Tests.Evaluation;

public sealed class RowNoveltyTests
{
    [Fact]
    public void Evaluation_rows_split_by_what_training_never_showed_and_training_rows_are_all_seen()
    {
        var eval = Enumerable.Range(0, 300).Select(i => WorldRows.Edit(1, i, WorldSplit.Eval)).ToList();
        var groups = eval.GroupBy(RowNovelty.Of).ToDictionary(g => g.Key, g => g.ToList());
        groups.Keys.Should().BeEquivalentTo(RowNovelty.Groups, "300 evaluation rows hold every kind");

        groups[RowNovelty.HeldOutPhrasing].Should().OnlyContain(e => HeldOut.IsHeldOutTemplate(e.InstructionTemplateId));
        groups[RowNovelty.HeldOutCombination].Should().OnlyContain(e => !HeldOut.IsHeldOutTemplate(e.InstructionTemplateId)
            && (HeldOut.ContainsHeldOutCombination(e.Source) || HeldOut.ContainsHeldOutCombination(e.Target)));
        groups[RowNovelty.Seen].Should().OnlyContain(e => !HeldOut.IsHeldOutTemplate(e.InstructionTemplateId)
            && !HeldOut.ContainsHeldOutCombination(e.Source) && !HeldOut.ContainsHeldOutCombination(e.Target));

        Enumerable.Range(0, 100).Select(i => RowNovelty.Of(WorldRows.Edit(1, i, WorldSplit.Train)))
            .Should().OnlyContain(g => g == RowNovelty.Seen);
    }

    [Fact]
    public void Summaries_are_the_metrics_of_each_group_in_reporting_order()
    {
        var rows = Enumerable.Range(0, 120).Select(i =>
        {
            var edit = WorldRows.Edit(2, i, WorldSplit.Eval);
            // Why: the source as the output fails every edit but do-nothing, so the groups' means differ from one.
            var output = SceneRenderer.Render(edit.Source, 32);
            return new EditRowResult(i, edit, output, EditMetrics.Evaluate(output, edit.Source, edit.Target, edit.EditType));
        }).ToList();

        var summaries = RowNovelty.Summaries(rows);
        summaries.Select(s => s.Key).Should().Equal(RowNovelty.Groups.Where(g => rows.Any(r => RowNovelty.Of(r.Edit) == g)));
        summaries.Sum(s => s.Value.Count).Should().Be(rows.Count);
        foreach (var (group, summary) in summaries)
        {
            var members = rows.Where(r => RowNovelty.Of(r.Edit) == group).ToList();
            summary.EditSuccess.Should().BeApproximately(members.Average(r => r.Score.EditSuccess ? 1.0 : 0.0), 1e-12);
            summary.Preserved.Should().BeApproximately(members.Average(r => r.Score.Preserved ? 1.0 : 0.0), 1e-12);
        }

        var captions = rows.Select((r, i) => new WrittenCaption(r.Edit, r.Edit.EditedCaption, Correct: i % 3 == 0)).ToList();
        var written = RowNovelty.Summaries(captions);
        written.Sum(w => w.Count).Should().Be(captions.Count);
        written.Sum(w => w.Accuracy * w.Count).Should().BeApproximately(captions.Count(c => c.Correct), 1e-9);
    }
}
