using System.CommandLine;

namespace NpEdit.Cli.Commands;

/// <summary>Every top-level verb group of the CLI. Add a group here when you add its file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return TrainCommand.Create();
        yield return SupervisedCommand.Create();
        yield return EditCommand.Create();
        yield return EvalCommand.Create();
        yield return InfoCommand.Create();
        yield return WorldCommand.Create();
        yield return BenchCommand.Create();
        yield return PriorCommand.Create();
        yield return JudgeCommand.Create();
    }
}
