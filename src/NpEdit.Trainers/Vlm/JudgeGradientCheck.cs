using NpEdit.Trainers.Synthetic;
using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>Outcome of <see cref="JudgeGradientCheck.Run"/>: the mean P(correct answer) after each step (entry 0 is the start).</summary>
public sealed record GradientCheckResult(
    IReadOnlyList<double> MeanProbability,
    IReadOnlyList<double> StartProbabilities,
    IReadOnlyList<double> EndProbabilities,
    double OracleEditSuccess,
    double MeanAbsolutePixelChange,
    IReadOnlyList<double> RmsPixelChange,
    double StartGradientRms);

/// <summary>
/// Is the judge's gradient useful to an editor? Start from the source image of colour edits and take plain
/// gradient-descent steps on the edited image's pixels against NP-Edit's edit-success loss
/// <c>-log sigmoid(l_yes - l_no)</c> for (source, edited, instruction), the source's features cached and frozen.
/// P(correct) must rise from low (the image is unedited) to high. The oracle then parses the optimised images:
/// if it sees the requested colour, the gradient moved real content rather than adversarial noise.
/// With <c>normalizedStep</c> each step moves each image by <c>learningRate</c> (root mean square over its pixels) along
/// its gradient, whatever the gradient's size. Why: plain steps of a fixed size measure the gradient's size as much as its
/// direction, and a judge trained to be robust has small pixel gradients by design (its most robust judges moved the
/// pixels least, twenty-second session); an editor trained with Adam sees the direction, the loss weight sets the scale.
/// </summary>
public static class JudgeGradientCheck
{
    public static GradientCheckResult Run(JudgeTransformer judge, int count, int seed, int steps = 50, double learningRate = 0.5, int size = SceneRenderer.DefaultSize, int gradientPool = 1, int augmentedCopies = 0, DiffusionPurifier? purifier = null, bool normalizedStep = false)
    {
        var scorer = judge.Scorer;
        var device = scorer.Device;
        var edits = Enumerable.Range(0, count).Select(i => WorldRows.Edit(seed, i, WorldSplit.Eval, new[] { EditType.Color })).ToList();
        var questions = edits.Select(e => NpEditQuestions.For(e).First(q => q.Role == NpEditQuestionRole.EditSuccess)).ToList();
        var curve = new List<double>();
        double[] start = Array.Empty<double>(), end = Array.Empty<double>();
        double startGradientRms = double.NaN;

        using var scope = NewDisposeScope();
        var sources = SceneRenderer.RenderBatch(edits.Select(e => e.Source).ToList(), size, device);
        var sourceFeatures = scorer.EncodeImages(sources);
        var pixels = sources.clone().requires_grad_(true);
        var random = new Random(seed);
        using var generator = new Generator((ulong)seed);
        for (int step = 0; step <= steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var judged = GradientLowPass.Apply(pixels, gradientPool);
            Tensor margin;
            bool separateLoss = augmentedCopies > 0 || purifier is not null;
            using (separateLoss ? torch.no_grad() : null) margin = Margin(scorer, questions, sourceFeatures, judged);
            var probability = margin.detach().sigmoid().cpu().data<float>().Select(p => (double)p).ToArray();
            curve.Add(probability.Average());
            if (step == 0) start = probability;
            end = probability;
            if (step == steps) break;
            // With a purifier the judge's gradient is taken on the purified image; with copies it is the mean over
            // perturbed copies (expectation over transformation). P(correct) above is still measured on the image itself.
            Tensor loss;
            if (!separateLoss)
            {
                loss = margin.neg().Softplus().sum();
            }
            else
            {
                var seen = purifier?.Apply(judged, generator) ?? judged;
                loss = augmentedCopies <= 0
                    ? Margin(scorer, questions, sourceFeatures, seen).neg().Softplus().sum()
                    : Margin(scorer, questions, sourceFeatures, AugmentedCopies.Make(seen, augmentedCopies, AugmentedCopies.Default, random, generator))
                        .neg().Softplus().sum().Div(augmentedCopies);
            }
            loss.backward();
            using (torch.no_grad())
            {
                var gradient = pixels.grad!;
                var rms = gradient.mul(gradient).mean([1, 2, 3], keepdim: true).sqrt();
                if (step == 0) startGradientRms = rms.mean().item<float>();
                var direction = normalizedStep ? gradient.div(rms.ClampMin(1e-20)) : gradient;
                pixels.sub_(direction.Mul(learningRate)).ClampInPlace(-1, 1);
                pixels.grad!.zero_();
            }
        }
        double change;
        double oracle;
        double[] rmsChange;
        using (torch.no_grad())
        {
            var difference = pixels.sub(sources);
            change = difference.abs().mean().item<float>();
            rmsChange = difference.mul(difference).mean([1, 2, 3]).sqrt().cpu().data<float>().Select(v => (double)v).ToArray();
            oracle = Enumerable.Range(0, count).Count(i =>
            {
                var parsed = SceneParser.Parse(ImageTensors.ToRgbImage(pixels[i].cpu()));
                return EditCheck.Of(parsed, edits[i].Source, edits[i].Target, EditType.Color).EditSuccess;
            }) / (double)count;
        }
        return new GradientCheckResult(curve, start, end, oracle, change, rmsChange, startGradientRms);
    }

    // Expected answer Yes for colour edits: the margin is l_yes - l_no. Copies of the edited images (row k*N+i)
    // pair with source i.
    private static Tensor Margin(YesNoScorer scorer, IReadOnlyList<NpEditQuestion> questions, Tensor sourceFeatures, Tensor edited)
    {
        int n = questions.Count;
        var queries = Enumerable.Range(0, (int)edited.shape[0])
            .Select(r => new JudgeQuery(questions[r % n].Question, JudgeImage.FromFeatures(sourceFeatures[r % n]), JudgeImage.FromPixels(edited[r])))
            .ToList();
        using var logits = scorer.Score(queries);
        return logits.Yes.sub(logits.No);
    }
}
