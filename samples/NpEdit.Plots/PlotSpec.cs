namespace NpEdit.Plots;

/// <summary>One line of a plot.</summary>
public sealed record Series(string Name, double[] X, double[] Y);

/// <summary>What to draw: one PNG with titled axes and one or more lines.</summary>
public sealed record PlotSpec(string Title, string XLabel, string YLabel, Series[] Series, string Output, int Width = 900, int Height = 500, bool LogY = false);
