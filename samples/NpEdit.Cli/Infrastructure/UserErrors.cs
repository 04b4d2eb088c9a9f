using System.CommandLine;
using System.CommandLine.Parsing;

namespace NpEdit.Cli.Infrastructure;

/// <summary>
/// Errors a user can fix (a missing file, a bad option value, a corrupt model) print as one line naming what is wrong,
/// not as a stack trace; anything else is a bug and keeps its trace. NPEDIT_TRACE=1 shows the trace for every error.
/// </summary>
internal static class UserErrors
{
    public static async Task<int> Run(ParseResult parse)
    {
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e) && Environment.GetEnvironmentVariable("NPEDIT_TRACE") != "1")
        {
            Console.Error.WriteLine($"npedit {string.Join(' ', CommandPath(parse))}: {e.Message}");
            return 1;
        }
    }

    private static bool IsUserError(Exception e) => e is ArgumentException or IOException or InvalidDataException or InvalidOperationException
        or UnauthorizedAccessException or FormatException or TimeoutException or OperationCanceledException
        or NpEdit.Transforms.Imaging.ImageDecodeException;

    // The verb's words, root excluded: "bench paper", "judge eval".
    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult { Parent: not null } command; result = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }
        return names;
    }
}
