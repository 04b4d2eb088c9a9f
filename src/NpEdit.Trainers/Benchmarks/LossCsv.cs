using System.Globalization;

namespace NpEdit.Trainers.Benchmarks;

/// <summary>Per-step loss terms as CSV (one column per term), the input of loss-curve plots.</summary>
public static class LossCsv
{
    public static void Write(IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> history, string path)
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

    /// <summary>Reads the columns back: step and each term (NaN where a step lacks the term).</summary>
    public static (double[] Steps, Dictionary<string, double[]> Terms) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        double Parse(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
        var steps = rows.Select(r => Parse(r[0])).ToArray();
        var terms = new Dictionary<string, double[]>();
        for (int c = 1; c < header.Length; c++) terms[header[c]] = rows.Select(r => Parse(r[c])).ToArray();
        return (steps, terms);
    }
}
