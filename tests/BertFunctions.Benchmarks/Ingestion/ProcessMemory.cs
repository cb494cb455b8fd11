using System.Diagnostics;
using System.Globalization;

namespace BertFunctions.Benchmarks.Ingestion;

/// <summary>
/// Resident memory from /proc (Linux): this process's peak (VmHWM, which can be reset so the upload before the
/// timed run does not count) and the Azurite child's, which runs as a separate node process.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>Resets this process's VmHWM to its current RSS (writing 5 to clear_refs); false where the kernel refuses.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A field of /proc/{pid}/status in bytes (VmRSS, VmHWM), or 0.</summary>
    public static long StatusBytes(string pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process exited.
        }

        return 0;
    }

    /// <summary>The pid of the node child (Azurite) of this process, if one runs.</summary>
    public static string? AzuritePid()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                // /proc/pid/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == self && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("azurite", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return null;
    }

    public static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("F0", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Samples a process's RSS every 200 ms and keeps the maximum (Azurite's VmHWM includes the upload).</summary>
    public sealed class PeakSampler : IAsyncDisposable
    {
        private readonly string _pid;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _peak;

        public PeakSampler(string pid)
        {
            _pid = pid;
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
                do
                {
                    _peak = Math.Max(_peak, StatusBytes(_pid, "VmRSS"));
                }
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
            });
        }

        public long Peak => Math.Max(_peak, StatusBytes(_pid, "VmRSS"));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }
    }

    /// <summary>Peak working set as .NET reports it (process lifetime, so it includes the upload).</summary>
    public static long LifetimePeak()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
