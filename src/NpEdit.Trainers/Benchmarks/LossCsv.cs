using System.Globalization;

namespace NpEdit.Trainers.Benchmarks;

/// <summary>Per-step loss terms as CSV (one column per term), the input of loss-curve plots.</summary>
public static class LossCsv
{
    /// <summary>
    /// Writes the history. Rows of an existing file at steps before the history's first step are kept: a trainer's
    /// history after a resume starts at the checkpoint, and the file should still cover the whole run. A history that
    /// starts at step 1 (a fresh run) replaces the file; an empty one (a resume with nothing left to do) leaves it.
    /// </summary>
    public static void Write(IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Losses)> history, string path)
    {
        if (history.Count == 0 && File.Exists(path)) return;
        var rows = EarlierRows(path, history.Count == 0 ? long.MaxValue : history[0].Step).Concat(history).ToList();
        var keys = rows.SelectMany(h => h.Losses.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
        {
            writer.WriteLine("step," + string.Join(",", keys));
            foreach (var (step, losses) in rows)
            {
                writer.WriteLine(step.ToString(CultureInfo.InvariantCulture) + "," +
                    string.Join(",", keys.Select(k => losses.TryGetValue(k, out var v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "")));
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static IEnumerable<(long Step, IReadOnlyDictionary<string, double> Losses)> EarlierRows(string path, long before)
    {
        if (!File.Exists(path)) yield break;
        var (steps, terms) = Read(path);
        for (int i = 0; i < steps.Length && steps[i] < before; i++)
        {
            yield return ((long)steps[i], terms.Where(t => !double.IsNaN(t.Value[i])).ToDictionary(t => t.Key, t => t.Value[i]));
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
