using NpEdit.Trainers.Benchmarks;
using NpEdit.Transforms.IO;

namespace NpEdit.Trainers.Tests.Benchmarks;

public sealed class EditBenchmarkResultTests
{
    [Fact]
    public void The_json_line_uses_the_documented_key_names()
    {
        var json = Json.Serialize(new EditBenchmarkResult(10, 11, 0.91, 50, 700, 0.071, 256, 16));
        json.Should().Contain("\"pipeline_vs_raw_throughput\"").And.Contain("\"latency_ratio_4_vs_50\"")
            .And.Contain("\"latency_4_step_ms\"").And.Contain("\"latency_50_step_ms\"");
    }
}
