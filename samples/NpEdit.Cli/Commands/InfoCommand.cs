using System.CommandLine;
using NpEdit.Cli.Infrastructure;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit info</c>: TorchSharp version, threads and device, to check an installation.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var command = new Command("info", "Show the TorchSharp runtime, thread count and the device that would be used.") { device };
        command.SetAction(parse =>
        {
            var resolved = TorchRuntime.ResolveDevice(parse.GetValue(device));
            var info = TorchRuntime.Describe(resolved);
            Console.WriteLine(info.ToString());
            JsonLine.Write(info);
            return 0;
        });
        return command;
    }
}
