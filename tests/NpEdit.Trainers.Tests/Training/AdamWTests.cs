using NpEdit.Trainers.Training;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Training;

public sealed class AdamWTests
{
    public AdamWTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Matches_torch_AdamW_step_for_step()
    {
        torch.manual_seed(7);
        using var a = nn.Linear(4, 3);
        using var b = nn.Linear(4, 3);
        using (no_grad()) foreach (var (k, v) in b.state_dict()) v.copy_(a.state_dict()[k]);
        using var ours = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.01, 0.0, 0.9, 1e-8, weightDecay: 0.1);
        using var theirs = optim.AdamW(b.parameters(), lr: 0.01, beta1: 0.0, beta2: 0.9, eps: 1e-8, weight_decay: 0.1);
        using var x = torch.randn(8, 4);
        for (int i = 0; i < 5; i++)
        {
            ours.ZeroGrad();
            a.call(x).Pow(2).sum().backward();
            ours.Step();
            theirs.zero_grad();
            b.call(x).Pow(2).sum().backward();
            theirs.step();
        }
        foreach (var (k, v) in a.state_dict()) v.allclose(b.state_dict()[k], rtol: 1e-5, atol: 1e-6).Should().BeTrue(k);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Gradients_are_finite_until_one_value_of_one_parameter_is_not(float bad)
    {
        using var a = nn.Linear(4, 3);
        using var b = nn.Linear(3, 2);
        var named = a.named_parameters().Select(p => ("a." + p.name, p.parameter)).Concat(b.named_parameters().Select(p => ("b." + p.name, p.parameter)));
        using var optimizer = new AdamW(named, 0.01);
        optimizer.GradientsAreFinite().Should().BeTrue("no parameter has a gradient yet");
        b.call(a.call(torch.randn(5, 4))).sum().backward();
        optimizer.GradientsAreFinite().Should().BeTrue();
        using (no_grad()) b.bias!.grad![1] = torch.tensor(bad);
        optimizer.GradientsAreFinite().Should().BeFalse();
    }

    [Fact]
    public void State_round_trips_into_a_fresh_optimizer()
    {
        torch.manual_seed(3);
        using var a = nn.Linear(2, 2);
        using var opt = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.1);
        a.call(torch.ones(1, 2)).sum().backward();
        opt.Step();
        var state = opt.StateTensors();
        using var other = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.1);
        other.LoadState(state, "test");
        other.StepCount.Should().Be(1);
        other.StateTensors()["exp_avg.weight"].eq(state["exp_avg.weight"]).all().item<bool>().Should().BeTrue();
        var bad = new Dictionary<string, Tensor> { ["exp_avg.nothing"] = torch.zeros(1) };
        var act = () => other.LoadState(bad, "ckpt");
        act.Should().Throw<InvalidDataException>().WithMessage("*unknown parameter 'nothing'*");
    }

    [Fact]
    public void A_learning_rate_factor_acts_as_that_multiple_of_the_rate_on_matching_parameters()
    {
        torch.manual_seed(5);
        using var a = nn.Linear(3, 2);
        var before = a.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var opt = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.01, weightDecay: 0.1);
        opt.LearningRateScales["weight"] = 3.0;
        opt.LearningRateScales["bias"] = 0.0;
        a.call(torch.randn(4, 3)).Pow(2).sum().backward();
        using var reference = nn.Linear(3, 2);
        using (no_grad()) foreach (var (k, v) in reference.state_dict()) v.copy_(before[k]);
        using var plain = new AdamW(reference.named_parameters().Select(p => (p.name, p.parameter)), 0.03, weightDecay: 0.1);
        using (no_grad()) foreach (var (name, p) in reference.named_parameters()) p.grad = a.get_parameter(name)!.grad!.clone();
        opt.Step();
        plain.Step();

        a.state_dict()["weight"].allclose(reference.state_dict()["weight"], rtol: 1e-6, atol: 1e-8).Should()
            .BeTrue("a factor of 3 on a rate of 0.01 is a rate of 0.03, its weight decay included");
        a.state_dict()["weight"].eq(before["weight"]).any().item<bool>().Should().BeFalse();
        a.state_dict()["bias"].eq(before["bias"]).all().item<bool>().Should().BeTrue("a factor of 0 leaves the parameter where it was, decay included");
        opt.StateTensors()["exp_avg.bias"].abs().sum().item<float>().Should().BeGreaterThan(0, "its moments still follow the gradient");
    }

    [Fact]
    public void A_parameter_that_joins_late_takes_the_first_step_of_a_fresh_optimizer()
    {
        torch.manual_seed(11);
        using var early = nn.Linear(3, 2);
        using var late = nn.Linear(3, 2);
        var named = early.named_parameters().Select(p => ("early." + p.name, p.parameter))
            .Concat(late.named_parameters().Select(p => ("late." + p.name, p.parameter))).ToList();
        using var opt = new AdamW(named, 0.01);
        foreach (var (name, _) in named.Where(p => p.Item1.StartsWith("late.", StringComparison.Ordinal))) opt.Frozen.Add(name);
        using var x = torch.randn(4, 3);
        for (int i = 0; i < 20; i++)
        {
            opt.ZeroGrad();
            early.call(x).Add(late.call(x)).Pow(2).sum().backward();
            opt.Step();
        }
        opt.Frozen.Clear();
        opt.ZeroGrad();
        early.call(x).Add(late.call(x)).Pow(2).sum().backward();
        var before = late.weight!.detach().clone();
        using var reference = nn.Linear(3, 2);
        using (no_grad())
        {
            reference.weight!.copy_(before);
            reference.weight.grad = late.weight.grad!.clone();
        }
        using var fresh = new AdamW(new[] { ("weight", reference.weight!) }, 0.01);
        opt.Step();
        fresh.Step();

        opt.StepsOf("late.weight").Should().Be(1);
        opt.StepsOf("early.weight").Should().Be(21);
        late.weight.allclose(reference.weight, rtol: 1e-6, atol: 1e-8).Should().BeTrue("its zero moments are corrected for one update, not 21");
        late.weight.sub(before).abs().max().item<float>().Should().BeApproximately(0.01f, 1e-4f, "Adam's first step moves each weight by the learning rate");
    }

    [Fact]
    public void Per_parameter_counts_round_trip_and_a_state_without_them_takes_the_global_count()
    {
        torch.manual_seed(13);
        using var a = nn.Linear(2, 2);
        using var opt = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.1);
        opt.Frozen.Add("bias");
        for (int i = 0; i < 3; i++)
        {
            opt.ZeroGrad();
            a.call(torch.ones(1, 2)).sum().backward();
            if (i == 2) opt.Frozen.Clear();
            opt.Step();
        }
        var state = opt.StateTensors();
        using var restored = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.1);
        restored.LoadState(state, "test");
        restored.StepsOf("weight").Should().Be(3);
        restored.StepsOf("bias").Should().Be(1);

        var legacy = state.Where(kv => !kv.Key.StartsWith("steps.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var old = new AdamW(a.named_parameters().Select(p => (p.name, p.parameter)), 0.1);
        old.LoadState(legacy, "legacy");
        old.StepsOf("weight").Should().Be(3);
        old.StepsOf("bias").Should().Be(3, "a state written before per-parameter counts was corrected with the global count");
    }
}
