namespace NpEdit.Trainers.Training;

/// <summary>
/// An exclusive lock on a folder, held by an open lock file, so that processes sharing a results folder take turns
/// at work only one of them should do (the paper bench's shared warm-up). The operating system releases the lock
/// when the holder exits or crashes, so a stale lock file never blocks anyone.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private const string LockFile = ".lock";
    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Waits until no other process or thread holds the folder's lock, then holds it until disposed. Calls
    /// <paramref name="onWait"/> once if it has to wait. Throws <see cref="TimeoutException"/> naming the lock file
    /// after <paramref name="timeout"/>.
    /// </summary>
    public static FolderLock Acquire(string folder, TimeSpan timeout, Action? onWait = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, LockFile);
        var deadline = DateTime.UtcNow + timeout;
        bool waited = false;
        while (true)
        {
            try
            {
                return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldByAnother(e) && DateTime.UtcNow < deadline)
            {
                if (!waited) onWait?.Invoke();
                waited = true;
                cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                cancellation.ThrowIfCancellationRequested();
            }
            catch (IOException e) when (IsHeldByAnother(e))
            {
                throw new TimeoutException($"{path} was still locked by another run after {timeout.TotalMinutes:0.#} min.", e);
            }
        }
    }

    /// <summary>
    /// Whether opening failed only because another holder has the file: EWOULDBLOCK from flock on Linux (11) and
    /// macOS (35), a sharing or lock violation on Windows. Anything else (a missing folder, a full disk) is a real
    /// error and is thrown at once instead of being waited out for hours.
    /// </summary>
    private static bool IsHeldByAnother(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    public void Dispose() => _stream.Dispose();
}
