using System.Diagnostics;
using System.Text.RegularExpressions;

namespace BertFunctions.Contracts.Storage;

/// <summary>
/// The real Azure Storage emulator (Azurite, installed from npm by <c>package.json</c>) started as a child process
/// on free loopback ports, for tests and for running the whole pipeline on one machine. Dispose stops it.
/// </summary>
public sealed partial class AzuriteEmulator : IAsyncDisposable
{
    /// <summary>
    /// The emulator's fixed, publicly documented development account (the same for every Azurite install).
    /// It is not a secret: it only opens an emulator bound to 127.0.0.1.
    /// </summary>
    private const string DevelopmentAccount = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;

    private AzuriteEmulator(Process process, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>A connection string for Azure.Storage clients pointing at this emulator.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccount};AccountKey={DevelopmentKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{DevelopmentAccount};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{DevelopmentAccount};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{DevelopmentAccount};";

    /// <summary>
    /// Starts Azurite on free ports. With <paramref name="location"/> the data persists in that folder; without, it
    /// lives in memory and vanishes on dispose (what tests want).
    /// </summary>
    public static async Task<AzuriteEmulator> StartAsync(string? location = null, string? nodeModules = null, CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable(nodeModules);
        // Node runs Azurite with a preloaded watch on its stdin, a pipe whose write end only this process holds: when
        // this process ends, however it ends (SIGKILL included), Azurite reads end-of-file and stops itself with
        // SIGTERM, which flushes its metadata. No emulator outlives its host.
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--import");
        start.ArgumentList.Add(ParentWatch);
        start.ArgumentList.Add(executable);
        foreach (var argument in Arguments(location))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        var output = new System.Text.StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (ports.Count < 3)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                if (line is null)
                {
                    var error = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                    throw new InvalidOperationException($"Azurite exited before it was ready: {output}{error}".Trim());
                }

                output.AppendLine(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        // Keep draining the pipes so that Azurite never blocks on a full stdout buffer.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        return new AzuriteEmulator(process, ports["Blob"], ports["Queue"], ports["Table"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // SIGTERM first: Azurite then flushes its metadata database to disk. A kill would lose the writes of
            // the last seconds of a persistent store.
            if (!OperatingSystem.IsWindows() && NativeMethods.Kill(process.Id, NativeMethods.SigTerm) == 0)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Fall through to the kill below.
                }
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        process.Dispose();
    }

    /// <summary>
    /// The stdin watch as an ES module in a data URL (no file to ship; %20 is its one space). End-of-file or a broken
    /// pipe sends Azurite its own SIGTERM; on SIGTERM, from there or from <see cref="DisposeAsync"/>, the watch lets go
    /// of stdin, so that once Azurite has closed its servers and flushed its metadata nothing keeps Node running.
    /// </summary>
    private const string ParentWatch =
        "data:text/javascript,const%20stop=()=>process.kill(process.pid,'SIGTERM');process.stdin.on('end',stop);process.stdin.on('error',stop);process.stdin.resume();process.once('SIGTERM',()=>process.stdin.destroy());";

    private static IEnumerable<string> Arguments(string? location)
    {
        string[] common =
        [
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
            // Azure.Storage.Blobs 12.30 speaks a service version newer than Azurite 3.37 knows.
            "--skipApiVersionCheck", "--disableTelemetry", "--loose",
        ];
        return location is null ? [.. common, "--inMemoryPersistence"] : [.. common, "--location", location];
    }

    /// <summary><c>node_modules/.bin/azurite</c>: from <paramref name="nodeModules"/>, BERTFN_NODE_MODULES, or the first node_modules above the app.</summary>
    private static string FindExecutable(string? nodeModules)
    {
        IEnumerable<string> Candidates()
        {
            if (nodeModules is not null)
            {
                yield return nodeModules;
            }

            if (Environment.GetEnvironmentVariable("BERTFN_NODE_MODULES") is { Length: > 0 } fromEnvironment)
            {
                yield return fromEnvironment;
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                yield return Path.Combine(dir.FullName, "node_modules");
            }
        }

        foreach (var candidate in Candidates())
        {
            var executable = Path.Combine(candidate, ".bin", "azurite");
            if (File.Exists(executable))
            {
                return executable;
            }
        }

        throw new FileNotFoundException("Azurite not found (node_modules/.bin/azurite): run 'npm ci' at the repository root (./bertfn does it for you).");
    }

    private static partial class NativeMethods
    {
        internal const int SigTerm = 15;

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int signal);
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
