using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using NpEdit.Transforms.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Editing;

/// <summary>
/// One NP-Edit iteration as a short sequence of named operations: copy warm-up, or unroll → decode → judge →
/// distribution matching → do-nothing regulariser → generator update → fake-score updates. Every loss term is
/// returned separately for logging.
/// </summary>
internal sealed class NpEditStepRunner
{
    private readonly NpEditTrainer.Options _o;
    private readonly Device _device;
    private readonly double[] _grid;
    private int _questions;

    public NpEditStepRunner(NpEditTrainer.Options options, FlowModel student, FlowModel teacher, FlowModel? fake, YesNoScorer? judge, AdamW studentOptimizer, AdamW? fakeOptimizer, Device device)
    {
        _o = options;
        Student = student;
        Teacher = teacher;
        Fake = fake;
        Judge = judge;
        StudentOptimizer = studentOptimizer;
        FakeOptimizer = fakeOptimizer;
        _device = device;
        _grid = options.Sampler().Grid();
    }

    public FlowModel Student { get; }
    public FlowModel Teacher { get; }
    /// <summary>The online fake-score model; null unless the DMD loss uses <see cref="FakeScoreKind.Online"/>.</summary>
    public FlowModel? Fake { get; }
    public YesNoScorer? Judge { get; }
    public AdamW StudentOptimizer { get; }
    public AdamW? FakeOptimizer { get; }

    /// <summary>The last generator step's unrolled output, kept only when <see cref="KeepGraphForInspection"/> is set (tests).</summary>
    internal UnrolledGenerator.Result? LastUnroll { get; private set; }
    internal bool KeepGraphForInspection { get; set; }
    internal Func<long, bool>? PoisonStep { get; set; }
    /// <summary>The writer whose captions the student reads with <see cref="NpEditTrainer.Options.WriterTextProbability"/>.</summary>
    internal IEditTextWriter? TrainingWriter { get; init; }

    /// <summary>Copy warm-up: flow matching with the source as both reference and target.</summary>
    public Dictionary<string, double> CopyStep(IReadOnlyList<EditRow> rows, long step)
    {
        using var scope = NewDisposeScope();
        var random = StepRandom.Managed(_o.Seed, step, 30);
        var y = SourceLatents(rows);
        using var generator = StepRandom.Torch(_o.Seed, step, 31);
        var t = TimeSampling.Sample(TimeDistribution.LogitNormal, rows.Count, generator, _device, shift: _o.TimeShift);
        var noise = torch.randn(y.shape, generator: generator).to(_device);
        // Written as the source caption's share so the default 0.5 draws exactly what earlier runs drew.
        var prompts = rows.Select(r => random.NextDouble() < 1 - _o.WarmupInstructionProbability ? r.SourceCaption : r.Instruction).ToList();
        StudentOptimizer.LearningRate = _o.WarmupLearningRate;
        StudentOptimizer.ZeroGrad();
        var loss = FlowMatchingLoss.Compute(Student, y, Student.EncodeText(prompts), t, noise, reference: y);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return new() { ["copy"] = value };
        loss.backward();
        if (!StudentOptimizer.GradientsAreFinite()) return new() { ["copy"] = double.NaN };
        double norm = StudentOptimizer.ClipGradNorm(_o.GradientClip);
        StudentOptimizer.Step();
        return new() { ["copy"] = value, ["grad_norm"] = norm };
    }

    /// <summary>One generator update and its fake-score updates. A non-finite loss or gradient skips the update.</summary>
    public Dictionary<string, double> EditStep(IReadOnlyList<EditRow> batch, long step, long mainStep)
    {
        using var scope = NewDisposeScope();
        var random = StepRandom.Managed(_o.Seed, step, 10);
        var rows = new List<EditRow>(batch.Count);
        var noOp = new bool[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            noOp[i] = random.NextDouble() < _o.DoNothingProbability;
            rows.Add(noOp[i] ? batch[i].AsDoNothing() : batch[i]);
        }

        var source = SourcePixels(rows);
        var y = Student.Codec.Encode(source);
        using var generator = StepRandom.Torch(_o.Seed, step, 11);
        var noise = torch.randn(y.shape, generator: generator).to(_device);
        var fresh = torch.randn(y.shape, generator: generator).to(_device);
        double? t = _o.Unroll == UnrollMode.OneStep || random.NextDouble() < _o.OneStepProbability
            ? null
            : _grid[1 + random.Next(_grid.Length - 2)];

        var losses = new Dictionary<string, double>();
        var instruction = Student.EncodeText(StudentTexts(rows, step));
        var unrolled = UnrolledGenerator.Run(Student, instruction, _o.UseReference ? y : null, noise, fresh, t);
        if (KeepGraphForInspection)
        {
            unrolled.FirstVelocity.retain_grad();
            unrolled.SecondVelocity?.retain_grad();
            LastUnroll = unrolled;
            scope.Detach(unrolled.X0, unrolled.FirstVelocity);
            if (unrolled.SecondVelocity is not null) scope.Detach(unrolled.SecondVelocity);
        }
        var x0 = unrolled.X0;
        Tensor total = torch.zeros(1, device: _device).squeeze();
        // With caption consistency, DMD trains a second unroll that reads the edited caption (same noise), and the
        // instruction's output is pulled towards it; otherwise DMD sees the instruction's output itself.
        var dmdX0 = x0;
        if (_o.CaptionConsistencyWeight > 0)
        {
            var captions = Student.EncodeText(rows.Select(r => r.EditedCaption).ToList());
            dmdX0 = UnrolledGenerator.Run(Student, captions, _o.UseReference ? y : null, noise, fresh, t).X0;
            var consistency = nn.functional.mse_loss(x0, dmdX0.detach());
            total = total.Add(consistency.Mul(_o.CaptionConsistencyWeight));
            losses["consistency"] = consistency.item<float>();
        }

        if (_o.UseVlmLoss && Judge is not null)
        {
            var pixels = Student.Codec.Decode(x0);
            var (vlm, accept) = VlmTerm(rows, source, pixels, step, mainStep);
            total = total.Add(vlm.Mul(_o.VlmWeight));
            losses["vlm"] = vlm.item<float>();
            losses["questions"] = _questions;
            losses["accept"] = accept;
            losses["tau"] = _o.Temperature.At(mainStep);
        }

        if (_o.UseDmdLoss)
        {
            // Each output is re-noised DmdSamples times and the DMD gradient averaged over them; one sample (the paper)
            // draws exactly what earlier runs drew.
            int samples = _o.DmdSamples;
            var edited = Enumerable.Repeat(rows.Select(r => r.EditedCaption), samples).SelectMany(c => c).ToList();
            using var dmdGenerator = StepRandom.Torch(_o.Seed, step, 12);
            var tD = TimeSampling.Between(edited.Count, dmdGenerator, _o.DmdTimeMin, _o.DmdTimeMax, _device);
            var shape = y.shape.ToArray();
            shape[0] = edited.Count;
            var dmdNoise = torch.randn(shape, generator: dmdGenerator).to(_device);
            bool sourcePrior = _o.FakeScore == FakeScoreKind.SourceCaptionPrior;
            EncodedText teacherEdited, teacherEmpty, fakeText;
            using (no_grad())
            {
                teacherEdited = Teacher.EncodeText(edited);
                teacherEmpty = Teacher.EncodeText(Enumerable.Repeat(string.Empty, edited.Count).ToList());
                fakeText = sourcePrior
                    ? Teacher.EncodeText(Enumerable.Repeat(rows.Select(r => r.SourceCaption), samples).SelectMany(c => c).ToList())
                    : Fake!.EncodeText(edited);
            }
            // The surrogate's mean over the repeated rows makes x0's gradient the mean of the samples' gradients.
            var repeated = samples == 1 ? dmdX0 : dmdX0.repeat(samples, 1, 1, 1);
            var dmd = DistributionMatchingLoss.Compute(repeated, Teacher, sourcePrior ? Teacher : Fake!, teacherEdited, teacherEmpty, fakeText, tD, dmdNoise, _o.DmdGuidanceScale, _o.DmdGradientPool);
            total = total.Add(dmd.Loss.Mul(_o.DmdWeight));
            losses["dmd"] = dmd.Loss.item<float>();
            losses["dmd_grad"] = dmd.Gradient.abs().mean().item<float>();
        }

        if (noOp.Any(b => b))
        {
            var index = torch.tensor(noOp.Select((b, i) => (b, i)).Where(p => p.b).Select(p => (long)p.i).ToArray(), device: _device);
            var noOpLoss = nn.functional.mse_loss(x0.index_select(0, index), y.index_select(0, index));
            total = total.Add(noOpLoss.Mul(_o.DoNothingWeight));
            losses["noop"] = noOpLoss.item<float>();
        }

        if (PoisonStep?.Invoke(step) == true) total = total.Mul(double.NaN);
        double totalValue = total.item<float>();
        losses["total"] = totalValue;
        if (!double.IsFinite(totalValue) || !total.requires_grad)
        {
            losses["skipped"] = 1;
            return losses;
        }
        StudentOptimizer.LearningRate = _o.LearningRate;
        StudentOptimizer.ZeroGrad();
        total.backward();
        if (!StudentOptimizer.GradientsAreFinite())
        {
            losses["skipped"] = 1;
            StudentOptimizer.ZeroGrad();
            return losses;
        }
        losses["grad_norm"] = StudentOptimizer.ClipGradNorm(_o.GradientClip);
        StudentOptimizer.Step();

        if (_o.UseDmdLoss && _o.FakeScore == FakeScoreKind.Online)
        {
            losses["fake"] = FakeScoreUpdates(dmdX0.detach(), rows.Select(r => r.EditedCaption).ToList(), step);
        }
        return losses;
    }

    /// <summary>What the student reads: the instruction, or with <see cref="NpEditTrainer.Options.EditedCaptionTextProbability"/>
    /// the edited caption (its own random stream, so the default draws exactly what earlier runs drew), which with
    /// <see cref="NpEditTrainer.Options.WriterTextProbability"/> may be the writer's caption instead (another stream).</summary>
    private List<string> StudentTexts(IReadOnlyList<EditRow> rows, long step) => StudentTexts(_o, rows, step, TrainingWriter);

    internal static List<string> StudentTexts(NpEditTrainer.Options o, IReadOnlyList<EditRow> rows, long step, IEditTextWriter? writer)
    {
        if (o.EditedCaptionTextProbability <= 0) return rows.Select(r => r.Instruction).ToList();
        var random = StepRandom.Managed(o.Seed, step, 15);
        var texts = rows.Select(r => random.NextDouble() < o.EditedCaptionTextProbability ? r.EditedCaption : r.Instruction).ToList();
        if (o.WriterTextProbability <= 0 || writer is null) return texts;
        var writerRandom = StepRandom.Managed(o.Seed, step, 16);
        var chosen = Enumerable.Range(0, rows.Count).Where(i => writerRandom.NextDouble() < o.WriterTextProbability && texts[i] == rows[i].EditedCaption).ToList();
        if (chosen.Count == 0) return texts;
        var written = writer.Write(chosen.Select(i => rows[i].Source).ToList(), chosen.Select(i => rows[i].Instruction).ToList());
        for (int k = 0; k < chosen.Count; k++) texts[chosen[k]] = written[k];
        return texts;
    }

    /// <summary>
    /// Trains the fake-score model on the generator's current (detached) outputs with the ordinary flow-matching loss,
    /// conditioned on the edited caption, <see cref="NpEditTrainer.Options.FakeScoreUpdates"/> times.
    /// </summary>
    private double FakeScoreUpdates(Tensor generated, IReadOnlyList<string> editedCaptions, long step)
    {
        var fake = Fake!;
        var optimizer = FakeOptimizer!;
        double sum = 0;
        for (int k = 0; k < _o.FakeScoreUpdates; k++)
        {
            using var scope = NewDisposeScope();
            using var generator = StepRandom.Torch(_o.Seed, step, 20 + k);
            var t = _o.FakeScoreOnDmdTimes
                ? TimeSampling.Between(generated.shape[0], generator, _o.DmdTimeMin, _o.DmdTimeMax, _device)
                : TimeSampling.Sample(TimeDistribution.LogitNormal, generated.shape[0], generator, _device, shift: _o.TimeShift);
            var noise = torch.randn(generated.shape, generator: generator).to(_device);
            optimizer.LearningRate = _o.FakeLearningRate;
            optimizer.ZeroGrad();
            var loss = FlowMatchingLoss.Compute(fake, generated, fake.EncodeText(editedCaptions), t, noise);
            double value = loss.item<float>();
            if (!double.IsFinite(value)) continue;
            loss.backward();
            if (!optimizer.GradientsAreFinite()) continue;
            optimizer.ClipGradNorm(_o.GradientClip);
            optimizer.Step();
            sum += value;
        }
        return _o.FakeScoreUpdates == 0 ? 0 : sum / _o.FakeScoreUpdates;
    }

    /// <summary>
    /// The edit-success (and identity) questions for every row, scored in one judge pass. With
    /// <see cref="NpEditTrainer.Options.VlmAugmentedCopies"/>, every question is asked of that many perturbed copies of
    /// the edited image instead of the image itself.
    /// </summary>
    private (Tensor Loss, double Accept) VlmTerm(IReadOnlyList<EditRow> rows, Tensor source, Tensor pixels, long step, long mainStep)
    {
        var judge = Judge!;
        var sourceFeatures = judge.EncodeImages(source);
        int copies = Math.Max(1, _o.VlmAugmentedCopies);
        if (_o.VlmAugmentedCopies > 0)
        {
            using var generator = StepRandom.Torch(_o.Seed, step, 13);
            pixels = AugmentedCopies.Make(pixels, copies, AugmentedCopies.Default, StepRandom.Managed(_o.Seed, step, 14), generator);
        }
        var queries = new List<JudgeQuery>();
        var expectYes = new List<bool>();
        for (int r = 0; r < rows.Count * copies; r++)
        {
            int i = r % rows.Count;
            var row = rows[i];
            var type = row.EditType ?? EditType.Color;
            var questions = NpEditQuestions.For(type, row.Instruction, row.EditObject);
            if (_o.UsePresenceChecks && row.EditType is not null) questions = [.. questions, .. NpEditQuestions.PresenceChecks(type, row.EditObject)];
            if (_o.UseEditQuestion && !string.IsNullOrWhiteSpace(row.EditQuestion))
                questions = [.. questions, new(NpEditQuestionRole.EditSuccess, JudgeImages.EditedOnly, row.EditQuestion, true, QuestionKinds.EditVerify)];
            foreach (var question in questions)
            {
                if (question.Role == NpEditQuestionRole.Identity && !_o.UseIdentityQuestion) continue;
                var edited = JudgeImage.FromPixels(pixels[r]);
                queries.Add(question.Images == JudgeImages.EditedOnly
                    ? new JudgeQuery(question.Question, edited)
                    : new JudgeQuery(question.Question, JudgeImage.FromFeatures(sourceFeatures[i]), edited));
                expectYes.Add(question.ExpectedAnswer);
            }
        }
        _questions = queries.Count;
        var logits = judge.Score(queries);
        var expect = torch.tensor(expectYes.ToArray(), device: logits.Yes.device);
        var loss = VlmFeedbackLoss.Compute(logits.Yes, logits.No, logits.Full, expect, _o.Temperature.At(mainStep), _o.VlmLoss, judge.Tokenizer.YesTokenId, judge.Tokenizer.NoTokenId);
        double accept;
        using (no_grad())
        {
            var pYes = logits.Yes.sub(logits.No).sigmoid();
            accept = torch.where(expect, pYes, pYes.SubtractedFrom(1)).mean().item<float>();
        }
        return (loss, accept);
    }

    private Tensor SourcePixels(IReadOnlyList<EditRow> rows)
    {
        int size = Student.Config.ImageSize;
        var pixels = ImageTensors.ToBatch(rows.Select(r => r.Source).ToList(), _device);
        return pixels.shape[2] == size && pixels.shape[3] == size ? pixels : ImageTensors.Resize(pixels, size, size);
    }

    private Tensor SourceLatents(IReadOnlyList<EditRow> rows) => Student.Codec.Encode(SourcePixels(rows));
}
