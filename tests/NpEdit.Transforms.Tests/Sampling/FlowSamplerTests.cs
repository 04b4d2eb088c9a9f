using NpEdit.Transforms.Models;
using NpEdit.Transforms.Runtime;
using NpEdit.Transforms.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.Sampling;

public sealed class FlowSamplerTests
{
    public FlowSamplerTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Shifted_schedule_matches_the_reimplementation()
    {
        var grid = FlowSchedule.Timesteps(4, 6.0);
        grid.Should().HaveCount(5);
        grid[0].Should().Be(1.0);
        grid[1].Should().BeApproximately(0.947368, 1e-6);
        grid[2].Should().BeApproximately(0.857143, 1e-6);
        grid[3].Should().BeApproximately(0.666667, 1e-6);
        grid[4].Should().Be(0.0);
        FlowSchedule.Timesteps(4, 1.0).Should().Equal(1.0, 0.75, 0.5, 0.25, 0.0);
        var act = () => FlowSchedule.Validate(new[] { 1.0, 0.5, 0.6, 0.0 });
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Euler_steps_are_exact_on_a_known_field()
    {
        // v(x, t) = 2x + t. Euler: x' = x + (t' - t)(2x + t), computed by hand on the grid {1, 0.5, 0}.
        using var x0 = torch.tensor(new[] { 1.0f, -2.0f });
        FlowSampler.VelocityField field = (x, t) => x.Mul(2).Add(t.view(-1, 1));
        using var result = FlowSampler.Sample(field, x0.view(1, 2), new[] { 1.0, 0.5, 0.0 });
        double Step(double x) { x = x + (0.5 - 1.0) * (2 * x + 1.0); x = x + (0.0 - 0.5) * (2 * x + 0.5); return x; }
        result[0, 0].item<float>().Should().BeApproximately((float)Step(1.0), 1e-6f);
        result[0, 1].item<float>().Should().BeApproximately((float)Step(-2.0), 1e-6f);
    }

    [Fact]
    public void Renoise_steps_predict_x0_and_mix_in_fresh_noise()
    {
        // Constant field v = c: x0 = x - t c; next x = (1 - t') x0 + t' e.
        using var start = torch.tensor(new[] { 3.0f }).view(1, 1);
        using var fresh = torch.tensor(new[] { 0.5f }).view(1, 1);
        FlowSampler.VelocityField field = (x, t) => torch.ones_like(x).Mul(2);
        using var result = FlowSampler.Sample(field, start, new[] { 1.0, 0.5, 0.0 }, SamplerMode.Renoise, _ => fresh.clone());
        double x = 3.0; double x0 = x - 1.0 * 2; x = 0.5 * x0 + 0.5 * 0.5; x = x - 0.5 * 2;
        result.item<float>().Should().BeApproximately((float)x, 1e-6f);
    }

    [Fact]
    public void Guidance_extrapolates_from_unconditional_to_conditional()
    {
        using var cond = torch.tensor(new[] { 2.0f, 0.0f });
        using var uncond = torch.tensor(new[] { 1.0f, 1.0f });
        using var guided = Guidance.Combine(cond, uncond, 3.0);
        guided[0].item<float>().Should().Be(4.0f);
        guided[1].item<float>().Should().Be(-2.0f);
        using var plain = Guidance.Combine(cond, uncond, 1.0);
        plain.eq(cond).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Per_row_seeds_make_a_row_independent_of_its_batch()
    {
        using var model = TinyModel();
        var options = new SamplerOptions { Steps = 3, GuidanceScale = 2.0, Mode = SamplerMode.Renoise };
        using var pair = FlowModelSampler.SampleSeeded(model, new[] { "a red circle", "a blue square" }, options, new long[] { 10, 11 });
        using var single = FlowModelSampler.SampleSeeded(model, new[] { "a blue square" }, options, new long[] { 11 });
        pair[1].sub(single[0]).abs().max().item<float>().Should().BeLessThan(1e-5f);
        using var again = FlowModelSampler.SampleSeeded(model, new[] { "a blue square" }, options, new long[] { 11 });
        again.eq(single).all().item<bool>().Should().BeTrue("same seed, same image");
    }

    [Fact]
    public void Guidance_outside_its_interval_is_a_single_conditional_pass()
    {
        using var model = TinyModel();
        var prompts = new[] { "a red circle", "a blue square" };
        var seeds = new long[] { 3, 4 };
        var plain = new SamplerOptions { Steps = 4, Shift = 1.0, GuidanceScale = 1.0 };
        // Grid {1, 0.75, 0.5, 0.25, 0}: an interval of [0.6, 0.9] guides exactly the step at 0.75.
        var interval = plain with { GuidanceScale = 3.0, GuidanceMinTime = 0.6, GuidanceMaxTime = 0.9 };
        interval.GuidedAt(1.0).Should().BeFalse();
        interval.GuidedAt(0.75).Should().BeTrue();
        interval.GuidedAt(0.5).Should().BeFalse();
        (plain with { GuidanceMinTime = 0.6 }).GuidedAt(0.75).Should().BeFalse("a scale of 1 never guides");

        using var unguided = FlowModelSampler.SampleSeeded(model, prompts, plain, seeds);
        using var nowhere = FlowModelSampler.SampleSeeded(model, prompts, interval with { GuidanceMinTime = 0.95, GuidanceMaxTime = 0.99 }, seeds);
        nowhere.eq(unguided).all().item<bool>().Should().BeTrue("no grid time falls in the interval");
        using var everywhere = FlowModelSampler.SampleSeeded(model, prompts, interval with { GuidanceMinTime = 0, GuidanceMaxTime = 1 }, seeds);
        using var once = FlowModelSampler.SampleSeeded(model, prompts, interval, seeds);
        once.sub(unguided).abs().max().item<float>().Should().BeGreaterThan(1e-4f, "the step at 0.75 is guided");
        once.sub(everywhere).abs().max().item<float>().Should().BeGreaterThan(1e-4f, "the other steps are not");
    }

    /// <summary>A tiny model whose zero-initialised output layers are randomised, so its samples depend on its inputs.</summary>
    private static FlowModel TinyModel()
    {
        torch.manual_seed(5);
        var vocabulary = TextTokenizer.BuildVocabulary(new[] { "a red circle", "a blue square" });
        var model = new FlowModel(FlowModelPresets.Tiny(vocabulary));
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters()) if (name.Contains("proj_out") || name.Contains("adaLN")) p.normal_(0, 0.05);
        }
        return model;
    }
}
