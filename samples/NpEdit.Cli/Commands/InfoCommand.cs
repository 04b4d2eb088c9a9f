using System.CommandLine;
using NpEdit.Cli.Infrastructure;
using NpEdit.Transforms;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit info</c>: TorchSharp version, threads and device, to check an installation; with
/// <c>--model</c>, how that model file was trained.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var model = new Option<string?>("--model") { Description = "A model file written by train: print how it was trained (command, settings, machine, wall time) instead." };
        var command = new Command("info", "Show the TorchSharp runtime, thread count and the device that would be used, or how a model file was trained.") { device, model };
        command.SetAction(parse =>
        {
            if (parse.GetValue(model) is { } path)
            {
                var record = NpEditModelFile.ReadTraining(path);
                Console.WriteLine(record is null ? $"{path} was saved without a training record." : $"{path}: trained by `{record.Command}` on {record.Machine} in {record.WallTimeSeconds / 60:F1} min.");
                JsonLine.Write((object?)record ?? new Dictionary<string, object>());
                return 0;
            }
            var resolved = TorchRuntime.ResolveDevice(parse.GetValue(device));
            var info = TorchRuntime.Describe(resolved);
            Console.WriteLine(info.ToString());
            JsonLine.Write(info);
            return 0;
        });
        return command;
    }
}
