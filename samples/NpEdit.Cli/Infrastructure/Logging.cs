using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace NpEdit.Cli.Infrastructure;

/// <summary>Console logging to stderr (stdout is reserved for results and the final JSON line).</summary>
internal static class Logging
{
    public static ILoggerFactory Create(bool verbose = false) => LoggerFactory.Create(builder =>
    {
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
    });

    /// <summary>The command line as typed, for manifests that record how a model was made.</summary>
    public static string CommandLine() => CommandLine(Environment.GetCommandLineArgs().Skip(1).ToArray());

    public static string CommandLine(string[] args) =>
        "dotnet run --project samples/NpEdit.Cli -c Release -- " + string.Join(" ", args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
}
