using Microsoft.ML;
using NpEdit.Trainers.Editing;
using NpEdit.Trainers.Losses;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Training;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms;
using NpEdit.Transforms.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Editing;

public sealed class NpEditTrainerTests : IClassFixture<NpEditTrainerTests.Shared>
{
    public sealed class Shared : IDisposable
    {
        internal EditTestFixtures Fixtures { get; } = new();
        public void Dispose() => Fixtures.Dispose();
    }

    private readonly EditTestFixtures _f;

    public NpEditTrainerTests(Shared shared) => _f = shared.Fixtures;

    private (NpEditTrainer Trainer, NpEditStepRunner Runner) Prepared(NpEditTrainer.Options options)
    {
        var trainer = new NpEditTrainer(new MLContext(1), options);
        trainer.Fit(_f.Rows(new MLContext(1))).Dispose();
        return (trainer, trainer.LastRunner!);
    }

    [Fact]
    public void Every_loss_term_is_logged_separately()
    {
        var (trainer, _) = Prepared(_f.Options(steps: 3, warmup: 1));
        trainer.LossHistory.Should().HaveCount(3);
        trainer.LossHistory[0].Losses.Should().ContainKey("copy");
        var main = trainer.LossHistory[2].Losses;
        main.Keys.Should().Contain(new[] { "vlm", "dmd", "fake", "total", "accept", "tau", "grad_norm" });
        main.Values.Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void With_a_text_writer_folder_the_fitted_editor_reads_what_the_writer_writes_and_keeps_it_when_saved()
    {
        var options = _f.Options(steps: 2, warmup: 1).ReadWriterCaptions(_f.JudgeFolder); // any judge folder is a writer; this one is untrained
        var context = new MLContext(1);
        var data = _f.Rows(context, 6);
        using var editor = new NpEditTrainer(context, options).Fit(data);
        var writer = editor.TextWriter.Should().BeOfType<VlmEditTextWriter>().Subject;

        var sources = new[] { RgbImage.Filled(16, 16, 200, 30, 30), RgbImage.Filled(16, 16, 30, 30, 200) };
        var instructions = new[] { "make the circle blue", "remove the square" };
        var seeds = new long[] { 1, 2 };
        var viaWriter = editor.EditBatch(sources, instructions, seeds, editor.Options.Sampler);
        var direct = editor.EditBatchReading(sources, writer.Write(sources, instructions), seeds, editor.Options.Sampler);
        for (int i = 0; i < 2; i++) viaWriter[i].Pixels.Should().Equal(direct[i].Pixels);

        string path = Path.Combine(_f.Root, "with-writer.npedit");
        NpEditModelFile.Save(context, editor, data.Schema, path);
        using var loaded = NpEditModelFile.LoadEditor(context, path);
        loaded.TextWriter.Should().BeOfType<VlmEditTextWriter>();
        var reloaded = loaded.EditBatch(sources, instructions, seeds, loaded.Options.Sampler);
        for (int i = 0; i < 2; i++) reloaded[i].Pixels.Should().Equal(viaWriter[i].Pixels, $"row {i} is identical after save and load");
    }

    [Fact]
    public void With_a_refine_time_the_fitted_editor_carries_the_prior_as_its_refiner_and_a_time_outside_0_1_is_refused()
    {
        var options = _f.Options(steps: 2, warmup: 1);
        options.RefineTime = 0.2;
        using var editor = new NpEditTrainer(new MLContext(1), options).Fit(_f.Rows(new MLContext(1)));
        editor.Options.RefineTime.Should().Be(0.2);
        using var prior = NpEdit.Transforms.Models.FlowModelStore.Load(_f.PriorFolder);
        var refiner = editor.Refiner!.state_dict();
        foreach (var (name, weight) in prior.state_dict())
            refiner[name].allclose(weight, rtol: 0, atol: 0).Should().BeTrue($"the refiner is the frozen prior ({name})");
        editor.Refiner.parameters().Should().OnlyContain(p => !p.requires_grad);

        options.RefineTime = 1.0;
        var refused = () => new NpEditTrainer(new MLContext(1), options);
        refused.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RefineTime*");
        new NpEditTrainer.Options().RefineTime.Should().Be(0, "the library's default is the paper's editor, without refinement");
    }

    [Fact]
    public void The_writer_recipe_reads_captions_in_both_stages_at_a_fifth_of_the_VLM_weight()
    {
        var options = new NpEditTrainer.Options().ReadWriterCaptions("some/writer");
        options.TextWriterFolder.Should().Be("some/writer");
        options.EditedCaptionTextProbability.Should().Be(1.0, "the NP-Edit stage reads the edited caption");
        options.WarmupInstructionProbability.Should().Be(0.0, "the copy warm-up reads the source caption");
        options.VlmWeight.Should().Be(NpEditTrainer.Options.WriterVlmWeight).And.BeLessThan(new NpEditTrainer.Options().VlmWeight);
    }

    private sealed class EchoWriter : IEditTextWriter
    {
        public string Kind => "echo";
        public IReadOnlyList<string> Write(IReadOnlyList<RgbImage> sources, IReadOnlyList<string> instructions) => instructions.Select(i => "written: " + i).ToList();
        public IReadOnlyDictionary<string, byte[]> SaveFiles() => new Dictionary<string, byte[]>();
        public void Dispose() { }
    }

    [Fact]
    public void With_a_writer_text_probability_the_student_reads_the_writers_captions_and_needs_a_writer()
    {
        var rows = Enumerable.Range(0, 40).Select(i => new EditRow(RgbImage.Filled(16, 16, 200, 30, 30), $"make the circle blue {i}",
            "a red circle", $"a blue circle {i}", EditType.Color, "circle")).ToList();
        using var writer = new EchoWriter();
        var options = new NpEditTrainer.Options().ReadWriterCaptions("some/writer");
        NpEditStepRunner.StudentTexts(options, rows, 3, writer).Should().Equal(rows.Select(r => r.EditedCaption), "off by default");
        options.WriterTextProbability = 1.0;
        NpEditStepRunner.StudentTexts(options, rows, 3, writer).Should().Equal(rows.Select(r => "written: " + r.Instruction));
        options.WriterTextProbability = 0.5;
        var mixed = NpEditStepRunner.StudentTexts(options, rows, 3, writer);
        mixed.Count(t => t.StartsWith("written: ")).Should().BeInRange(8, 32);
        mixed.Where(t => !t.StartsWith("written: ")).Should().OnlyContain(t => t.StartsWith("a blue circle"));
        NpEditStepRunner.StudentTexts(options, rows, 3, writer).Should().Equal(mixed, "the draw is seeded by the step");

        var noWriter = _f.Options();
        noWriter.WriterTextProbability = 0.5;
        var refused = () => new NpEditTrainer(new MLContext(1), noWriter);
        refused.Should().Throw<ArgumentException>().WithMessage("*no TextWriterFolder*");
    }

    [Fact]
    public void A_student_reading_a_real_writers_captions_trains_with_finite_losses()
    {
        var options = _f.Options(steps: 2, warmup: 1).ReadWriterCaptions(_f.JudgeFolder);
        options.WriterTextProbability = 1.0;
        var (trainer, _) = Prepared(options);
        trainer.LossHistory.Should().HaveCount(2);
        trainer.LossHistory[1].Losses.Should().ContainKey("dmd");
        trainer.LossHistory[1].Losses.Values.Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void A_missing_text_writer_folder_is_refused_before_training()
    {
        var options = _f.Options();
        options.TextWriterFolder = Path.Combine(_f.Root, "no-such-writer");
        var fit = () => new NpEditTrainer(new MLContext(1), options);
        fit.Should().Throw<Exception>().WithMessage("*no-such-writer*");
    }

    [Fact]
    public void Gradients_reach_the_student_through_both_unrolled_calls_and_nowhere_frozen()
    {
        var options = _f.Options(steps: 1, warmup: 0);
        options.OneStepProbability = 0.0;
        var trainer = new NpEditTrainer(new MLContext(1), options) { InspectLastStep = true };
        using var editor = trainer.Fit(_f.Rows(new MLContext(1)));
        var runner = trainer.LastRunner!;
        var losses = trainer.LossHistory[^1].Losses;
        var unroll = runner.LastUnroll!;
        unroll.SecondVelocity.Should().NotBeNull("two-step unroll");
        unroll.FirstVelocity.grad!.abs().sum().item<float>().Should().BeGreaterThan(0, "the first generator call receives gradient");
        unroll.SecondVelocity!.grad!.abs().sum().item<float>().Should().BeGreaterThan(0, "the second generator call receives gradient");
        runner.Student.named_parameters().Count(p => p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0).Should().BeGreaterThan(0);
        runner.Teacher.parameters().All(p => p.grad is null || p.grad.abs().sum().item<float>() == 0).Should().BeTrue("the teacher is frozen");
        runner.Judge!.Model.parameters().All(p => p.grad is null).Should().BeTrue("the judge is frozen");
        using var features = runner.Judge.EncodeImages(torch.zeros(1, 3, 16, 16));
        features.requires_grad.Should().BeFalse("source-image features carry no gradient");
        losses.Should().ContainKey("vlm");
    }

    [Fact]
    public void The_fake_score_is_updated_the_configured_number_of_times_per_generator_step()
    {
        var options = _f.Options(steps: 3, warmup: 1);
        options.FakeScoreUpdates = 3;
        var (_, runner) = Prepared(options);
        runner.FakeOptimizer!.StepCount.Should().Be(2 * 3);
        runner.StudentOptimizer.StepCount.Should().Be(3);
    }

    [Fact]
    public void Ablation_switches_remove_exactly_their_term()
    {
        var noVlm = _f.Options(steps: 2, warmup: 0);
        noVlm.UseVlmLoss = false;
        var (t1, r1) = Prepared(noVlm);
        t1.LossHistory[^1].Losses.Keys.Should().Contain("dmd").And.NotContain("vlm");
        r1.Judge.Should().BeNull("without the VLM loss the judge is not even loaded");

        var noDmd = _f.Options(steps: 2, warmup: 0);
        noDmd.UseDmdLoss = false;
        var (t2, r2) = Prepared(noDmd);
        t2.LossHistory[^1].Losses.Keys.Should().Contain("vlm").And.NotContain("dmd").And.NotContain("fake");
        r2.Fake.Should().BeNull("without the DMD loss no fake score is built");
        r2.FakeOptimizer.Should().BeNull();

        var withIdentity = _f.Options(steps: 2, warmup: 0);
        withIdentity.UseDmdLoss = false;
        withIdentity.DoNothingProbability = 0;
        var noIdentity = _f.Options(steps: 2, warmup: 0);
        noIdentity.UseDmdLoss = false;
        noIdentity.DoNothingProbability = 0;
        noIdentity.UseIdentityQuestion = false;
        var (t3, _) = Prepared(withIdentity);
        var (t4, _) = Prepared(noIdentity);
        t3.LossHistory[^1].Losses["questions"].Should().Be(6, "3 rows x (edit + identity)");
        t4.LossHistory[^1].Losses["questions"].Should().Be(3, "3 rows x edit only");
    }

    [Fact]
    public void Presence_checks_add_one_single_image_question_per_add_or_replace_row()
    {
        var rows = FirstBatch();
        int addOrReplace = rows.Count(r => r.EditType is nameof(EditType.Add) or nameof(EditType.Replace));
        addOrReplace.Should().BeGreaterThan(0, "the fixture's first batch must hold an add or replace edit for this test to mean anything");
        QuestionsAsked(o => { }).Should().Be(16, "8 rows x (edit + identity)");
        QuestionsAsked(o => o.UsePresenceChecks = true).Should().Be(16 + addOrReplace);
    }

    [Fact]
    public void Edit_questions_add_one_single_image_question_per_row_that_has_one()
    {
        var rows = FirstBatch();
        int withQuestion = rows.Count(r => r.EditQuestion.Length > 0);
        withQuestion.Should().BeInRange(1, 7, "the fixture's first batch must mix rows with and without a question");
        QuestionsAsked(o => o.UseEditQuestion = true).Should().Be(16 + withQuestion);
    }

    [Fact]
    public void Augmented_copies_ask_every_question_of_each_copy_and_negative_counts_are_refused()
    {
        QuestionsAsked(o => o.VlmAugmentedCopies = 3).Should().Be(3 * 16, "8 rows x (edit + identity) x 3 copies");
        ShouldRefuse(o => o.VlmAugmentedCopies = -1, "*VlmAugmentedCopies*-1*");
    }

    [Fact]
    public void The_warm_up_prompt_follows_its_probability_and_a_probability_outside_0_1_is_refused()
    {
        double CopyLoss(double p)
        {
            var o = _f.Options(steps: 1, warmup: 1);
            o.WarmupInstructionProbability = p;
            return Prepared(o).Trainer.LossHistory[0].Losses["copy"];
        }
        double captions = CopyLoss(0), instructions = CopyLoss(1);
        captions.Should().NotBe(instructions, "the text the copy is conditioned on changes the loss");
        CopyLoss(0).Should().Be(captions, "a seed repeats the warm-up");
        ShouldRefuse(o => o.WarmupInstructionProbability = 1.5, "*WarmupInstructionProbability*1.5*", warmup: 1);
    }

    [Theory]
    [InlineData(-0.1, 0.98)]
    [InlineData(0.6, 0.5)]
    [InlineData(0.02, 1.2)]
    public void Dmd_times_outside_0_1_or_in_the_wrong_order_are_refused(double min, double max)
    {
        ShouldRefuse(o => { o.DmdTimeMin = min; o.DmdTimeMax = max; }, "*DmdTimeMin <= DmdTimeMax*");
    }

    [Fact]
    public void Several_dmd_samples_change_the_dmd_term_one_sample_is_the_paper_and_zero_is_refused()
    {
        double Dmd(int samples)
        {
            var o = _f.Options(steps: 1, warmup: 0);
            o.UseVlmLoss = false;
            o.DoNothingProbability = 0;
            o.DmdSamples = samples;
            return Prepared(o).Trainer.LossHistory[^1].Losses["dmd"];
        }
        double one = Dmd(1), three = Dmd(3);
        double.IsFinite(three).Should().BeTrue();
        three.Should().NotBe(one, "three re-noisings of each output are averaged, not one");
        Dmd(1).Should().Be(one, "a seed repeats the step");
        ShouldRefuse(o => o.DmdSamples = 0, "*DmdSamples*0*");
        ShouldRefuse(o => o.DmdGradientPool = 0, "*DmdGradientPool*0*");
    }

    [Fact]
    public void A_source_caption_prior_fake_score_changes_dmd_and_is_never_trained()
    {
        NpEditTrainer.Options Options(FakeScoreKind kind)
        {
            var o = _f.Options(steps: 2, warmup: 0);
            o.UseVlmLoss = false;
            o.DoNothingProbability = 0;
            o.FakeScore = kind;
            return o;
        }
        var (online, _) = Prepared(Options(FakeScoreKind.Online));
        var (frozen, runner) = Prepared(Options(FakeScoreKind.SourceCaptionPrior));
        online.LossHistory[^1].Losses.Should().ContainKey("fake");
        frozen.LossHistory[^1].Losses.Should().NotContainKey("fake", "nothing trains the fake score");
        frozen.LossHistory[0].Losses["dmd"].Should().NotBe(online.LossHistory[0].Losses["dmd"]);
        double.IsFinite(frozen.LossHistory[^1].Losses["dmd"]).Should().BeTrue();
        runner.Fake.Should().BeNull("the source-caption prior is the teacher itself; no fake score is built");
        runner.FakeOptimizer.Should().BeNull();
    }

    [Fact]
    public void Without_a_reference_the_student_unrolls_as_the_text_to_image_prior_and_has_no_copy_warm_up()
    {
        Tensor FirstOutput(bool useReference) => FirstDmdStep(o => { o.UseReference = useReference; o.OneStepProbability = 1.0; }).X0;
        var withoutReference = FirstOutput(useReference: false);
        var withReference = FirstOutput(useReference: true);

        // The first output comes from the untrained student, i.e. the prior: x0 = ε − v(ε, 1, instruction), no reference.
        var instructions = FirstBatchTexts().Select(r => r.Instruction).ToList();
        using var prior = NpEdit.Transforms.Models.FlowModelStore.Load(_f.PriorFolder, CPU);
        using var generator = StepRandom.Torch(9, 0, 11);
        using var noise = torch.randn(withoutReference.shape, generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = noise.sub(prior.Velocity(noise, torch.ones(3), prior.EncodeText(instructions)));
        torch.allclose(withoutReference, expected, rtol: 1e-4, atol: 1e-5).Should().BeTrue("without a reference the student is the prior's text-to-image model");
        torch.allclose(withReference, expected, rtol: 1e-4, atol: 1e-5).Should().BeFalse("with a reference the source image enters the output");

        ShouldRefuse(o => o.UseReference = false, "*nothing to copy*WarmupCopySteps*", steps: 2, warmup: 1);
    }

    [Fact]
    public void On_dmd_times_the_fake_score_trains_at_dmd_s_re_noising_times()
    {
        void OnDmdTimes(NpEditTrainer.Options o)
        {
            o.FakeScoreUpdates = 1;
            o.FakeScoreOnDmdTimes = true;
            o.DmdTimeMin = o.DmdTimeMax = 0.3;
        }
        var (trainer, generated) = FirstDmdStep(OnDmdTimes);

        // The one fake update's loss, rebuilt: the fake score starts as the prior and trains at t = 0.3 exactly.
        var captions = FirstBatchTexts().Select(r => r.EditedCaption).ToList();
        using var prior = NpEdit.Transforms.Models.FlowModelStore.Load(_f.PriorFolder, CPU);
        using var generator = StepRandom.Torch(9, 0, 20);
        torch.rand(3, generator: generator).Dispose();
        using var noise = torch.randn(generated.shape, generator: generator);
        double expected;
        using (torch.no_grad())
        {
            expected = FlowMatchingLoss.Compute(prior, generated, prior.EncodeText(captions), TensorMath.Full(new long[] { 3 }, 0.3), noise).item<float>();
        }
        trainer.LossHistory[^1].Losses["fake"].Should().BeApproximately(expected, 1e-5);

        var (shifted, _) = FirstDmdStep(o => { OnDmdTimes(o); o.FakeScoreOnDmdTimes = false; });
        shifted.LossHistory[^1].Losses["fake"].Should().NotBeApproximately(expected, 1e-5, "by default the fake score trains at the prior's shifted logit-normal times");
    }

    [Fact]
    public void With_caption_text_probability_1_the_student_reads_the_edited_caption_and_the_evaluation_follows_the_column()
    {
        Tensor FirstOutput(double p, string textColumn) =>
            FirstDmdStep(o => { o.EditedCaptionTextProbability = p; o.InstructionColumnName = textColumn; }).X0;
        var mixedAllCaptions = FirstOutput(1.0, WorldColumns.Instruction);
        var captionColumn = FirstOutput(0.0, WorldColumns.EditedCaption);
        var instructions = FirstOutput(0.0, WorldColumns.Instruction);
        mixedAllCaptions.eq(captionColumn).all().item<bool>().Should().BeTrue("p = 1 reads the edited caption on every row");
        mixedAllCaptions.eq(instructions).all().item<bool>().Should().BeFalse();

        ShouldRefuse(o => o.EditedCaptionTextProbability = 1.5, "*EditedCaptionTextProbability*1.5*");
    }

    [Fact]
    public void Caption_consistency_trains_dmd_on_a_caption_unroll_and_pulls_the_instruction_s_output_to_it()
    {
        (NpEditTrainer Trainer, Tensor X0) FirstStep(string textColumn, double consistency) =>
            FirstDmdStep(o => { o.InstructionColumnName = textColumn; o.CaptionConsistencyWeight = consistency; });
        var (both, instructionOutput) = FirstStep(WorldColumns.Instruction, 2.0);
        var (captionOnly, captionOutput) = FirstStep(WorldColumns.EditedCaption, 0.0);
        var losses = both.LossHistory[^1].Losses;

        double expected = nn.functional.mse_loss(instructionOutput, captionOutput).item<float>();
        losses["consistency"].Should().BeApproximately(expected, 1e-6);
        expected.Should().BeGreaterThan(0, "instruction and caption give different outputs");
        losses["dmd"].Should().BeApproximately(captionOnly.LossHistory[^1].Losses["dmd"], 1e-6, "DMD sees the caption's unroll");
        losses["total"].Should().BeApproximately(losses["dmd"] + 2.0 * losses["consistency"], 1e-5);

        ShouldRefuse(o => o.CaptionConsistencyWeight = -1, "*CaptionConsistencyWeight*");
    }

    [Fact]
    public void An_editor_trained_on_the_edited_caption_column_is_evaluated_with_edited_captions()
    {
        using var prior = NpEdit.Transforms.Models.FlowModelStore.Load(_f.PriorFolder, CPU);
        var request = new NpEdit.Trainers.Evaluation.EditRequest(NpEdit.Transforms.Imaging.RgbImage.Filled(16, 16, 200, 30, 30), "turn the circle blue.", "a red circle.", "a blue circle.");
        NpEdit.Transforms.Imaging.RgbImage Edit(string column, string? text = null)
        {
            using var transformer = new NpEdit.Transforms.NpEditTransformer(prior.Clone(), new NpEdit.Transforms.NpEditTransformerOptions { InstructionColumnName = column });
            if (text is not null) return transformer.EditBatch(new[] { request.Source }, new[] { text }, new long[] { 5 }, transformer.Options.Sampler)[0];
            return new NpEdit.Trainers.Evaluation.TransformerEditor(transformer).Edit(new[] { request }, new long[] { 5 })[0];
        }
        Edit(WorldColumns.EditedCaption).Pixels.Should().Equal(Edit(WorldColumns.EditedCaption, request.EditedCaption).Pixels);
        Edit(WorldColumns.Instruction).Pixels.Should().Equal(Edit(WorldColumns.Instruction, request.Instruction).Pixels);
        Edit(WorldColumns.Instruction).Pixels.Should().NotEqual(Edit(WorldColumns.EditedCaption).Pixels);
    }

    /// <summary>Options with one change, which the trainer's constructor must refuse with a message like <paramref name="message"/>.</summary>
    private void ShouldRefuse(Action<NpEditTrainer.Options> change, string message, int steps = 1, int warmup = 0)
    {
        var options = _f.Options(steps: steps, warmup: warmup);
        change(options);
        var act = () => new NpEditTrainer(new MLContext(1), options);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage(message);
    }

    /// <summary>One NP-Edit step (no warm-up, no VLM loss, no do-nothing rows) with the change applied: the trainer, and
    /// the student's first output, taken before its update.</summary>
    private (NpEditTrainer Trainer, Tensor X0) FirstDmdStep(Action<NpEditTrainer.Options> configure)
    {
        var o = _f.Options(steps: 1, warmup: 0);
        o.UseVlmLoss = false;
        o.DoNothingProbability = 0;
        configure(o);
        var trainer = new NpEditTrainer(new MLContext(1), o) { InspectLastStep = true };
        trainer.Fit(_f.Rows(new MLContext(1))).Dispose();
        return (trainer, trainer.LastRunner!.LastUnroll!.X0.detach());
    }

    /// <summary>The texts of the first batch (3 rows) that <see cref="FirstDmdStep"/> trains on.</summary>
    private IEnumerable<InstructionRow> FirstBatchTexts() =>
        new MLContext(1).Data.CreateEnumerable<InstructionRow>(_f.Rows(new MLContext(1)), reuseRowObject: false).Take(3);

    private sealed class InstructionRow
    {
        public string Instruction { get; set; } = "";
        public string EditedCaption { get; set; } = "";
    }

    [Theory]
    [InlineData(1.0, 0.9)]
    [InlineData(-0.1, 0.9)]
    [InlineData(0.9, 1.5)]
    public void Adam_betas_outside_0_1_are_refused(double beta1, double beta2)
    {
        ShouldRefuse(o => { o.Beta1 = beta1; o.Beta2 = beta2; }, "*betas*");
    }

    private const int BatchOfEight = 8;

    private TypeRow[] FirstBatch() =>
        new MLContext(1).Data.CreateEnumerable<TypeRow>(_f.Rows(new MLContext(1)), reuseRowObject: false).Take(BatchOfEight).ToArray();

    /// <summary>Questions asked in one step of a batch of 8 (no DMD, no do-nothing rows) with the switch applied.</summary>
    private double QuestionsAsked(Action<NpEditTrainer.Options> configure)
    {
        var o = _f.Options(steps: 1, warmup: 0);
        o.BatchSize = BatchOfEight;
        o.UseDmdLoss = false;
        o.DoNothingProbability = 0;
        configure(o);
        var (trainer, _) = Prepared(o);
        return trainer.LossHistory[^1].Losses["questions"];
    }

    private sealed class TypeRow
    {
        public string EditType { get; set; } = "";
        public string EditQuestion { get; set; } = "";
    }

    [Fact]
    public void A_non_finite_loss_skips_the_step_is_counted_and_leaves_the_weights_finite()
    {
        var trainer = new NpEditTrainer(new MLContext(1), _f.Options(steps: 3, warmup: 0)) { PoisonStep = step => step == 1, InspectLastStep = true };
        using var editor = trainer.Fit(_f.Rows(new MLContext(1)));
        trainer.SkippedSteps.Should().Be(1);
        trainer.LossHistory[1].Losses.Should().ContainKey("skipped");
        trainer.LastRunner!.StudentOptimizer.StepCount.Should().Be(2, "the poisoned step made no update");
        editor.Editor.parameters().All(p => p.isfinite().all().item<bool>()).Should().BeTrue();
    }

    [Theory]
    [InlineData(FakeScoreKind.Online)]
    [InlineData(FakeScoreKind.SourceCaptionPrior)]
    public void A_resumed_run_equals_an_uninterrupted_one(FakeScoreKind fakeScore)
    {
        NpEditTrainer.Options Options(int steps)
        {
            var o = _f.Options(steps: steps, warmup: 1);
            o.FakeScore = fakeScore;
            return o;
        }
        var straight = new NpEditTrainer(new MLContext(1), Options(4));
        using var a = straight.Fit(_f.Rows(new MLContext(1)));

        string folder = Path.Combine(_f.Root, "resume-" + Guid.NewGuid().ToString("N"));
        var first = Options(2);
        first.CheckpointFolder = folder;
        first.CheckpointInterval = 2;
        var firstTrainer = new NpEditTrainer(new MLContext(1), first);
        firstTrainer.Fit(_f.Rows(new MLContext(1))).Dispose();
        Directory.EnumerateFiles(folder, "fake.safetensors", SearchOption.AllDirectories).Any().Should().Be(fakeScore == FakeScoreKind.Online,
            "only an online fake score is a model of its own to checkpoint");
        var second = Options(4);
        second.CheckpointFolder = folder;
        var secondTrainer = new NpEditTrainer(new MLContext(1), second);
        using var b = secondTrainer.Fit(_f.Rows(new MLContext(1)));
        secondTrainer.LastFitDuration.Should().BeGreaterThan(firstTrainer.LastFitDuration, "a resumed run's time includes the time it resumed from");
        foreach (var (key, value) in a.Editor.state_dict())
        {
            b.Editor.state_dict()[key].eq(value).all().item<bool>().Should().BeTrue($"{key} is bit-identical after resume");
        }
    }

    [Fact]
    public void Schema_errors_name_the_column_and_the_expected_type()
    {
        var context = new MLContext();
        var data = context.Data.LoadFromEnumerable(new[] { new { Image = "x.png", Instruction = "make it red", SourceCaption = "a", EditedCaption = "b" } });
        var trainer = new NpEditTrainer(context, _f.Options());
        var act = () => trainer.Fit(data);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*image column 'Image': expected Image or Vector<Byte>, got String*");

        var noInstruction = context.Data.LoadFromEnumerable(new[] { new { SourceCaption = "a" } });
        var act2 = () => trainer.GetOutputSchema(NpEdit.Transforms.Data.SchemaChecks.ShapeOf(noInstruction.Schema));
        act2.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'Image': column not found*");

        var withQuestions = _f.Options();
        withQuestions.UseEditQuestion = true;
        var rows = _f.Rows(context);
        var noQuestion = context.Transforms.DropColumns("EditQuestion").Fit(rows).Transform(rows);
        var act3 = () => new NpEditTrainer(context, withQuestions).GetOutputSchema(NpEdit.Transforms.Data.SchemaChecks.ShapeOf(noQuestion.Schema));
        act3.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*'EditQuestion': column not found*");
        new NpEditTrainer(context, _f.Options()).GetOutputSchema(NpEdit.Transforms.Data.SchemaChecks.ShapeOf(noQuestion.Schema))
            .Should().NotBeNull("without the switch the column is optional");
    }

    private static EditRow RowAt(IDataView data, int index)
    {
        using var cursor = data.GetRowCursor(data.Schema);
        for (int i = 0; i <= index; i++) cursor.MoveNext();
        var image = NpEdit.Transforms.Data.ImageColumnReader.Bind(cursor, "Image")();
        string Text(string c) => NpEdit.Transforms.Data.ImageColumnReader.BindText(cursor, c)();
        Enum.TryParse<NpEdit.Trainers.Synthetic.EditType>(Text("EditType"), out var type);
        return new EditRow(image, Text("Instruction"), Text("SourceCaption"), Text("EditedCaption"), type, Text("EditObject"));
    }
}
