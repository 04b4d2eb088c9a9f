using NpEdit.Trainers.Training;
using Spectre.Console;

namespace NpEdit.Cli.Infrastructure;

/// <summary>
/// Shows training progress: a live progress bar (step, losses, rate, ETA) on an interactive terminal, periodic plain
/// lines otherwise. Everything goes to stderr, so stdout keeps its one-JSON-line-at-the-end contract.
/// </summary>
internal static class TrainingDisplay
{
    private static readonly IAnsiConsole ErrorConsole = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    public static T Run<T>(string title, long totalSteps, Func<IProgress<TrainingProgress>, T> work)
    {
        if (Console.IsErrorRedirected || !ErrorConsole.Profile.Capabilities.Interactive)
        {
            long every = Math.Max(1, totalSteps / 100);
            return work(new Callback(p =>
            {
                if (p.Step % every == 0 || p.Step == p.TotalSteps) Console.Error.WriteLine(p.ToString());
            }));
        }
        T result = default!;
        ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: totalSteps);
                result = work(new Callback(p =>
                {
                    task.Value = p.Step;
                    var losses = string.Join(" ", p.Losses.Where(kv => kv.Key != "lr").Take(5).Select(kv => $"{kv.Key} {kv.Value:G3}"));
                    task.Description = Markup.Escape($"{title} {p.Step}/{p.TotalSteps} {losses} {p.StepsPerSecond:F2} it/s");
                }));
            });
        return result;
    }

    /// <summary>A simple bar for counted work that is not training (evaluation, batch editing).</summary>
    public static T Count<T>(string title, int total, Func<IProgress<int>, T> work)
    {
        if (Console.IsErrorRedirected || !ErrorConsole.Profile.Capabilities.Interactive)
        {
            int every = Math.Max(1, total / 10);
            int last = 0;
            return work(new Callback<int>(n =>
            {
                if (n - last >= every || n == total) { Console.Error.WriteLine($"{title}: {n}/{total}"); last = n; }
            }));
        }
        T result = default!;
        ErrorConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: total);
                result = work(new Callback<int>(n => task.Value = n));
            });
        return result;
    }

    private sealed class Callback : IProgress<TrainingProgress>
    {
        private readonly Action<TrainingProgress> _report;
        public Callback(Action<TrainingProgress> report) => _report = report;
        public void Report(TrainingProgress value) => _report(value);
    }

    private sealed class Callback<T> : IProgress<T>
    {
        private readonly Action<T> _report;
        public Callback(Action<T> report) => _report = report;
        public void Report(T value) => _report(value);
    }
}
