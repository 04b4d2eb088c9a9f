using System.Globalization;

namespace NpEdit.Cli.Infrastructure;

/// <summary>Writes per-step loss terms as CSV (one column per term) for plotting.</summary>
internal static class LossCurves
{
    public static void WriteCsv(IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> history, string path)
    {
        var keys = history.SelectMany(h => h.Losses.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path);
        writer.WriteLine("step," + string.Join(",", keys));
        foreach (var (step, losses) in history)
        {
            writer.WriteLine(step.ToString(CultureInfo.InvariantCulture) + "," +
                string.Join(",", keys.Select(k => losses.TryGetValue(k, out var v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "")));
        }
    }
}
