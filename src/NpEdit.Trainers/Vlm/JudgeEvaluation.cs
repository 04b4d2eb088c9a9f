using NpEdit.Trainers.Evaluation;
using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;

namespace NpEdit.Trainers.Vlm;

/// <summary>Accuracy of a judge on the world's evaluation split (see <see cref="JudgeEvaluation"/>).</summary>
public sealed record JudgeMetrics(
    double SingleImageAccuracy,
    double TwoImageAccuracy,
    double TemplateAcceptAccuracy,
    double TemplateRejectAccuracy,
    double HeldOutTemplateAccuracy,
    double NoisyAccuracy,
    double ShuffledImageAccuracy,
    IReadOnlyDictionary<string, double> ByKind,
    int Questions,
    JudgeSeenAccuracy Seen,
    IReadOnlyDictionary<string, double> HeldOutPhrasingByKind);

/// <summary>
/// The four headline accuracies over only the questions that hold nothing training left out: no held-out question
/// phrasing, no held-out colour/shape combination in any image, and, for NP-Edit's templates, an edit row that
/// <see cref="RowNovelty"/> counts as seen. Why: a judge that knows no language or images beyond the world's training
/// split cannot know those; this separates that limit from the rest.
/// </summary>
public sealed record JudgeSeenAccuracy(double SingleImage, double TwoImage, double TemplateAccept, double TemplateReject);

/// <summary>
/// Measures a judge on rows it never trained on: the <see cref="WorldSplit.Eval"/> stream (disjoint seeds; held-out
/// phrasings and colour/shape combinations included), clean renders.
/// <list type="bullet">
/// <item>single/two-image accuracy: general questions of each kind group;</item>
/// <item>template accept: both NP-Edit questions for (source, ground-truth target), right when the judge gives the
/// answer a correct edit earns;</item>
/// <item>template reject: the edit-success question for the unedited source and for a different, wrong edit of
/// it (only where the truth is No), right when the judge says No;</item>
/// <item>noisy accuracy: the general questions again with Gaussian noise (sigma 0.05) and a 3x3 blur, the world's
/// stand-in for generator output;</item>
/// <item>shuffled-image accuracy: the single-image questions asked of another row's image, scored against the
/// original answer. A judge that reads the image falls towards chance here; one that answers from the wording of the
/// question alone (its phrasing and kind priors) scores as well as on the real images.</item>
/// </list>
/// </summary>
public static class JudgeEvaluation
{
    public static JudgeMetrics Evaluate(JudgeTransformer judge, int count, int seed, int size = SceneRenderer.DefaultSize)
    {
        var rng = new Random(seed);
        var items = new List<(IReadOnlyList<RgbImage> Images, string Question, bool Answer, string Group, string Kind, bool HeldOutTemplate, bool Seen)>();
        foreach (var (group, kinds) in new[] { ("single", QuestionKinds.SingleImage), ("two", QuestionKinds.TwoImage) })
        {
            for (int i = 0; i < count; i++)
            {
                var q = QuestionGenerator.Sample(rng, WorldSplit.Eval, rng.Pick(kinds));
                bool heldOutTemplate = HeldOut.IsHeldOutTemplate(q.TemplateId);
                bool seen = !heldOutTemplate && !q.Images.Any(HeldOut.ContainsHeldOutCombination);
                items.Add((q.Images.Select(s => SceneRenderer.Render(s, size)).ToList(), q.Question, q.Answer, group, q.Kind, heldOutTemplate, seen));
            }
        }
        var noiseRng = new Random(seed + 1);
        int general = items.Count;
        for (int i = 0; i < general; i++)
        {
            var it = items[i];
            items.Add((it.Images.Select(img => ImageDegradation.BlurAndNoise(img, 0.05, noiseRng)).ToList(), it.Question, it.Answer, "noisy", it.Kind, it.HeldOutTemplate, it.Seen));
        }
        var singles = items.Take(general).Where(it => it.Group == "single").ToList();
        for (int i = 0; i < singles.Count; i++)
        {
            var it = singles[i];
            items.Add((singles[(i + 1) % singles.Count].Images, it.Question, it.Answer, "shuffled", it.Kind, it.HeldOutTemplate, it.Seen));
        }
        for (int i = 0; i < count; i++)
        {
            var edit = WorldRows.Edit(seed, i, WorldSplit.Eval);
            var source = SceneRenderer.Render(edit.Source, size);
            foreach (var question in NpEditQuestions.For(edit))
            {
                AddTemplate(items, question, edit, edit.Target, source, size, "accept");
            }
            var success = NpEditQuestions.For(edit).First(q => q.Role == NpEditQuestionRole.EditSuccess);
            AddTemplate(items, success, edit, edit.Source, source, size, "reject", onlyWhenNo: true);
            var wrong = EditSampler.Sample(edit.Source, rng, WorldSplit.Eval, WrongEdits).Target;
            AddTemplate(items, success, edit, wrong, source, size, "reject", onlyWhenNo: true);
        }

        var probabilities = judge.ProbabilityYes(items.Select(i => (i.Images, i.Question)).ToList());
        var correct = items.Select((it, k) => (probabilities[k] > 0.5f) == it.Answer).ToArray();
        double Accuracy(Func<int, bool> select)
        {
            var chosen = Enumerable.Range(0, items.Count).Where(select).ToList();
            return chosen.Count == 0 ? double.NaN : chosen.Count(k => correct[k]) / (double)chosen.Count;
        }
        var byKind = items.Select(i => i.Kind).Distinct().OrderBy(k => k, StringComparer.Ordinal)
            .ToDictionary(kind => kind, kind => Accuracy(k => items[k].Kind == kind && items[k].Group is not ("noisy" or "shuffled")));
        // Why per kind: a held-out phrasing that differs from another kind's only in a word training never shows
        // ("added" or "removed") can only be guessed by a judge without language pretraining; this shows which.
        var heldOutByKind = items.Where(i => i.HeldOutTemplate && i.Group is "single" or "two").Select(i => i.Kind).Distinct()
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToDictionary(kind => kind, kind => Accuracy(k => items[k].Kind == kind && items[k].HeldOutTemplate && items[k].Group is "single" or "two"));
        return new JudgeMetrics(
            Accuracy(k => items[k].Group == "single"),
            Accuracy(k => items[k].Group == "two"),
            Accuracy(k => items[k].Group == "accept"),
            Accuracy(k => items[k].Group == "reject"),
            Accuracy(k => items[k].Group is "single" or "two" && items[k].HeldOutTemplate),
            Accuracy(k => items[k].Group == "noisy"),
            Accuracy(k => items[k].Group == "shuffled"),
            byKind,
            items.Count,
            new JudgeSeenAccuracy(
                Accuracy(k => items[k].Group == "single" && items[k].Seen),
                Accuracy(k => items[k].Group == "two" && items[k].Seen),
                Accuracy(k => items[k].Group == "accept" && items[k].Seen),
                Accuracy(k => items[k].Group == "reject" && items[k].Seen)),
            heldOutByKind);
    }

    private static readonly EditType[] WrongEdits =
        [EditType.Color, EditType.Remove, EditType.Add, EditType.Replace, EditType.Background, EditType.Size, EditType.Move];

    private static void AddTemplate(List<(IReadOnlyList<RgbImage>, string, bool, string, string, bool, bool)> items, NpEditQuestion question,
        EditSample edit, Scene shown, RgbImage source, int size, string group, bool onlyWhenNo = false)
    {
        bool truth = NpEditQuestions.TrueAnswer(question, edit, shown);
        if (onlyWhenNo && truth) return;
        var output = SceneRenderer.Render(shown, size);
        IReadOnlyList<RgbImage> images = question.Images == JudgeImages.EditedOnly ? [output] : [source, output];
        bool seen = RowNovelty.Of(edit) == RowNovelty.Seen && !HeldOut.ContainsHeldOutCombination(shown);
        items.Add((images, question.Question, truth, group, question.Kind, false, seen));
    }
}
