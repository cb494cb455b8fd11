using System.Diagnostics;
using System.Text.Json;

namespace BertFunctions.Cli.Storage;

/// <summary>
/// Who holds a local home (<see cref="CliHome"/>): one process at a time owns its Azurite data folder. The owner holds
/// an exclusive lock on <c>home.lock</c> (flock on Linux and macOS, a share-none handle on Windows) for as long as it
/// runs, and publishes in <c>home.json</c> how to reach its storage and, for <c>serve</c>, <c>demo</c> and
/// <c>compare</c>, its host. Any other command on the same home uses those instead of starting a second Azurite on
/// the same folder, which would lose data: two emulators overwrite each other's metadata file, and an upload to the
/// second never reaches the host watching the first. The operating system drops the lock when the owner dies, even
/// by SIGKILL, so a crash never leaves a home locked; a stale <c>home.json</c> is overwritten by the next owner.
/// </summary>
internal sealed class LocalHome : IDisposable
{
    private const string LockFile = "home.lock";
    private const string RecordFile = "home.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly FileStream lockStream;
    private readonly string folder;
    private HomeHolder record;

    private LocalHome(FileStream lockStream, string folder, HomeHolder record)
    {
        this.lockStream = lockStream;
        this.folder = folder;
        this.record = record;
    }

    /// <summary>Takes the home when no process holds it; null when one does.</summary>
    public static LocalHome? TryAcquire(string folder, string command)
    {
        Directory.CreateDirectory(folder);
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(folder, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null; // held: the lock is the truth, whatever home.json says
        }

        File.Delete(Path.Combine(folder, RecordFile)); // a dead owner's, if any
        return new LocalHome(stream, folder, new HomeHolder(Environment.ProcessId, command, Storage: null, Host: null, DateTimeOffset.UtcNow));
    }

    /// <summary>Publishes the owner's storage (a connection string to its Azurite on loopback) for the other commands.</summary>
    public void PublishStorage(string storage) => Write(record = record with { Storage = storage });

    /// <summary>Publishes the owner's host (its loopback URL), so that commands needing one use it.</summary>
    public void PublishHost(Uri host) => Write(record = record with { Host = host.ToString() });

    /// <summary>
    /// The holder of a home another process owns, once it has published its storage: waits up to
    /// <paramref name="wait"/> for a holder that is starting. Null when there is none (the home is free again, or
    /// the holder never published: it died, or is not a bertfn).
    /// </summary>
    public static async Task<HomeHolder?> ReadHolderAsync(string folder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (TryRead(folder) is { Storage: not null } holder && Alive(holder.Pid))
            {
                return holder;
            }

            if (clock.Elapsed >= wait)
            {
                return null;
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path.Combine(folder, RecordFile));
        }
        catch (IOException)
        {
            // The next owner overwrites it.
        }

        lockStream.Dispose();
    }

    private void Write(HomeHolder holder)
    {
        // Written whole, then renamed over: a reader sees the old record or the new one, never half of one.
        var path = Path.Combine(folder, RecordFile);
        var temporary = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(holder, Json));
        File.Move(temporary, path, overwrite: true);
    }

    private static HomeHolder? TryRead(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<HomeHolder>(File.ReadAllText(Path.Combine(folder, RecordFile)), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>What <c>home.json</c> says about the process that holds a home.</summary>
/// <param name="Command">The bertfn command it runs (<c>serve</c>, <c>ingest</c>...).</param>
/// <param name="Storage">A connection string to its Azurite on 127.0.0.1 (the emulator's public development account: no secret).</param>
/// <param name="Host">Its local host's URL, when it runs one.</param>
public sealed record HomeHolder(int Pid, string Command, string? Storage, string? Host, DateTimeOffset Started);
