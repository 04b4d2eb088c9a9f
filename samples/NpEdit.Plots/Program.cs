using System.Text.Json;
using NpEdit.Plots;

// npedit-plots spec.json [spec2.json ...]: draws each spec (see PlotSpec) to its output PNG.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: npedit-plots spec.json [more.json ...]");
    return 2;
}
var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
foreach (var path in args)
{
    var spec = JsonSerializer.Deserialize<PlotSpec>(File.ReadAllText(path), options)
        ?? throw new InvalidDataException($"{path}: empty plot spec.");
    var plot = new ScottPlot.Plot();
    foreach (var series in spec.Series)
    {
        double[] y = spec.LogY ? series.Y.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray() : series.Y;
        var line = plot.Add.ScatterLine(series.X, y);
        line.LegendText = series.Name;
    }
    plot.Title(spec.Title);
    plot.XLabel(spec.XLabel);
    plot.YLabel(spec.LogY ? $"log10 {spec.YLabel}" : spec.YLabel);
    plot.ShowLegend();
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(spec.Output))!);
    plot.SavePng(spec.Output, spec.Width, spec.Height);
    Console.WriteLine(spec.Output);
}
return 0;
