using System.CommandLine;
using NpEdit.Cli.Infrastructure;
using NpEdit.Trainers.Synthetic;
using NpEdit.Trainers.Vlm;
using NpEdit.Transforms.Runtime;

namespace NpEdit.Cli.Commands;

/// <summary><c>npedit judge breakdown</c>: a judge's accuracy per question kind and per case within it.</summary>
internal static class JudgeBreakdownCommand
{
    public static Command Create()
    {
        var judgeFolder = JudgeCommand.JudgeFolder();
        var kinds = new Option<string>("--kinds") { Description = "Comma-separated general question kinds (default: all twelve).", DefaultValueFactory = _ => string.Join(",", QuestionKinds.General) };
        var count = CommonOptions.Count(1000);
        var seed = CommonOptions.Seed(1);
        var worst = new Option<int>("--worst") { Description = "Also list this many cases with the lowest accuracy (of at least 10 questions).", DefaultValueFactory = _ => 10 };
        var device = CommonOptions.Device();
        var command = new Command("breakdown", "Accuracy per question kind and per case (answer, phrasing, what differs between the images) on held-out world questions.")
        {
            judgeFolder, kinds, count, seed, worst, device,
        };
        command.SetAction(parse =>
        {
            var kindList = parse.GetValue(kinds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            using var judge = JudgeTransformer.Load(ShapesJudge.ResolveFolder(parse.GetValue(judgeFolder)), TorchRuntime.ResolveDevice(parse.GetValue(device)));
            IReadOnlyList<JudgeCase> cases;
            try
            {
                cases = JudgeBreakdown.Evaluate(judge, kindList, parse.GetValue(count), parse.GetValue(seed));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            foreach (var group in cases.GroupBy(c => c.Kind))
            {
                double accuracy = group.Sum(c => c.Accuracy * c.Questions) / group.Sum(c => c.Questions);
                Console.WriteLine($"{group.Key}: {accuracy:F3}");
                foreach (var c in group) Console.WriteLine($"  {c.Accuracy,6:F3}  {c.Questions,5}  {c.Case}");
            }
            var lowest = cases.Where(c => c.Questions >= 10).OrderBy(c => c.Accuracy).ThenByDescending(c => c.Questions).Take(parse.GetValue(worst)).ToList();
            Console.WriteLine("lowest:");
            foreach (var c in lowest) Console.WriteLine($"  {c.Accuracy,6:F3}  {c.Questions,5}  {c.Kind}: {c.Case}");
            JsonLine.Write(new { Cases = cases.Select(c => new { c.Kind, c.Case, c.Questions, Accuracy = Math.Round(c.Accuracy, 4) }).ToArray() });
            return 0;
        });
        return command;
    }
}
