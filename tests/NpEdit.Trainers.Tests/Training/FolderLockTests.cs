using NpEdit.Trainers.Training;

namespace NpEdit.Trainers.Tests.Training;

public sealed class FolderLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_second_holder_waits_until_the_first_releases_the_lock()
    {
        var first = FolderLock.Acquire(_dir, TimeSpan.FromSeconds(5));
        using var waiting = new ManualResetEventSlim();
        FolderLock? secondLock = null;
        var second = new Thread(() => secondLock = FolderLock.Acquire(_dir, TimeSpan.FromSeconds(60), waiting.Set));
        second.Start();
        waiting.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("the second caller finds the lock taken and waits");
        second.IsAlive.Should().BeTrue("the first holder still has the lock");
        first.Dispose();
        second.Join(TimeSpan.FromSeconds(30)).Should().BeTrue("the lock is handed over once released");
        secondLock.Should().NotBeNull();
        secondLock!.Dispose();
    }

    [Fact]
    public void Gives_up_after_the_timeout_naming_the_lock_file()
    {
        using var first = FolderLock.Acquire(_dir, TimeSpan.FromSeconds(5));
        var act = () => FolderLock.Acquire(_dir, TimeSpan.FromMilliseconds(300));
        act.Should().Throw<TimeoutException>().WithMessage($"*{Path.Combine(_dir, ".lock")}*");
    }

    [Fact]
    public void A_released_lock_can_be_taken_again_at_once()
    {
        FolderLock.Acquire(_dir, TimeSpan.FromSeconds(1)).Dispose();
        using var again = FolderLock.Acquire(_dir, TimeSpan.FromMilliseconds(1));
        File.Exists(Path.Combine(_dir, ".lock")).Should().BeTrue();
    }

    [Fact]
    public void A_lock_file_that_cannot_be_opened_is_an_error_at_once_not_a_wait()
    {
        // A dangling link: opening fails with "could not find file", which no amount of waiting fixes.
        File.CreateSymbolicLink(Path.Combine(_dir, ".lock"), Path.Combine(_dir, "missing", "lock"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var act = () => FolderLock.Acquire(_dir, TimeSpan.FromMinutes(5));
        act.Should().Throw<FileNotFoundException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }
}
