using NpEdit.Trainers.Training;

namespace NpEdit.Trainers.Tests;

/// <summary>
/// Reports on the trainer's own thread, unlike <see cref="Progress{T}"/>, which posts to the thread pool: tests that
/// cancel at a given step or count the reports need them to arrive before the next step runs.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>Training progress reported synchronously.</summary>
internal sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
