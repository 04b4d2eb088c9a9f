using System.Globalization;

namespace NpEdit.Trainers.Synthetic;

/// <summary>Oracle self-test results for one edit category (fractions in [0, 1]).</summary>
/// <param name="ExactClean">Rendered target scored Exact.</param>
/// <param name="ExactNoisy">Blurred, noisy target scored Exact.</param>
/// <param name="CopySuccess">A copy of the source scored EditSuccess: should be 0, except 1 for do-nothing.</param>
/// <param name="MeanPsnrNoisy">PSNR of the degraded target against the clean target, in dB.</param>
public sealed record OracleCategoryReport(EditType Type, int Count, double ExactClean, double ExactNoisy, double CopySuccess, double MeanPsnrNoisy);

/// <summary>What <see cref="OracleSelfTest"/> measured: scene recovery on sources, edit scoring per category.</summary>
public sealed record OracleReport(
    int Count, int Size, double Sigma,
    double SceneRecoveryClean, double SceneRecoveryNoisy,
    IReadOnlyList<OracleCategoryReport> Categories,
    IReadOnlyList<string> Failures,
    double Seconds)
{
    /// <summary>Flat snake_case metrics, e.g. <c>scene_recovery_noisy</c>, <c>exact_noisy_color</c>, <c>copy_success_remove</c>.</summary>
    public IReadOnlyDictionary<string, object> ToMetrics()
    {
        var metrics = new Dictionary<string, object>
        {
            ["scene_recovery_clean"] = Round(SceneRecoveryClean),
            ["scene_recovery_noisy"] = Round(SceneRecoveryNoisy),
        };
        foreach (var c in Categories)
        {
            string name = Snake(c.Type);
            metrics[$"exact_clean_{name}"] = Round(c.ExactClean);
            metrics[$"exact_noisy_{name}"] = Round(c.ExactNoisy);
            metrics[$"copy_success_{name}"] = Round(c.CopySuccess);
            metrics[$"psnr_noisy_{name}"] = Math.Round(c.MeanPsnrNoisy, 2);
            metrics[$"count_{name}"] = c.Count;
        }
        metrics["count"] = Count;
        metrics["size"] = Size;
        metrics["sigma"] = Sigma;
        metrics["seconds"] = Math.Round(Seconds, 2);
        return metrics;
    }

    /// <summary>"DoNothing" -> "do_nothing".</summary>
    public static string Snake(EditType type) =>
        string.Concat(type.ToString().Select((ch, i) => char.IsUpper(ch) && i > 0 ? "_" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString(CultureInfo.InvariantCulture)));

    private static double Round(double x) => Math.Round(x, 4);
}
