using System.CommandLine;

namespace NpEdit.Cli.Commands;

/// <summary>Every top-level verb group of the CLI. Add a group here when you add its file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return WorldCommand.Create();
        yield return BenchCommand.Create();
    }
}
