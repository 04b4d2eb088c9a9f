using System.CommandLine;
using NpEdit.Cli.Commands;
using NpEdit.Cli.Infrastructure;

// npedit: the command-line face of NpEdit.MLNet. Each verb group lives in its own file under Commands/.
// Verbs that measure something print a human summary and, as the last line of stdout, one JSON object.
var root = new RootCommand("NpEdit.MLNet: train and apply instruction-following image editors without before/after pairs.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}
return await UserErrors.Run(root.Parse(args));
