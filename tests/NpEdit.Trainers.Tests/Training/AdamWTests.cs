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
}
