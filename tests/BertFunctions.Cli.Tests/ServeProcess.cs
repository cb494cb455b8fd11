using System.Diagnostics;
using System.Globalization;

namespace BertFunctions.Cli.Tests;

/// <summary>One <c>bertfn serve</c> as a process, on a free port, its stderr collected; on a fresh home unless given one.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly string home;
    private readonly System.Text.StringBuilder stderr = new();

    private readonly bool ownsHome;

    private ServeProcess(Process process, string home, bool ownsHome)
    {
        Process = process;
        this.home = home;
        this.ownsHome = ownsHome;
    }

    public string Home => home;

    public Process Process { get; }

    public int Pid => Process.Id;

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    public static async Task<ServeProcess> StartAsync(string? sharedHome = null)
    {
        var home = sharedHome ?? Path.Combine(Path.GetTempPath(), "bertfn-serve-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        // As from a terminal: SIGINT at its default disposition. A test run started in the background of a script
        // inherits SIGINT ignored (POSIX shells ignore it for asynchronous commands), and serve, like any program,
        // keeps an inherited ignore; GNU env resets it and execs, so serve's pid is the one started here.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bertfn.dll"));
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add("0");
        info.Environment["BERTFN_HOME"] = home;
        var serve = new ServeProcess(Process.Start(info)!, home, ownsHome: sharedHome is null);
        var ready = new TaskCompletionSource();
        serve.Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (serve.stderr)
            {
                serve.stderr.AppendLine(e.Data);
            }

            if (e.Data.Contains("Trainer worker started", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        serve.Process.OutputDataReceived += (_, _) => { };
        serve.Process.BeginErrorReadLine();
        serve.Process.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        return serve;
    }

    /// <summary>Another bertfn command as a process on <paramref name="home"/>, to its end (at most 5 minutes).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(string home, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bertfn.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["BERTFN_HOME"] = home;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Azurite processes whose data folder is under <paramref name="home"/>.</summary>
    public static List<int> AzuritesOf(string home) =>
        [.. Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d))
            .Where(name => name.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name, CultureInfo.InvariantCulture))
            .Where(pid => Command(pid) is var command && command.Contains("azurite", StringComparison.Ordinal) && command.Contains(home, StringComparison.Ordinal))];

    /// <summary>The process ids of serve's direct children (Azurite's Node and the trainer worker).</summary>
    public List<int> Children() =>
        [.. Directory.GetDirectories($"/proc/{Pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Distinct()];

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }

    /// <summary>Every process in <paramref name="pids"/> has ended (a zombie waiting for its reaper counts as ended).</summary>
    public static async Task AssertGoneAsync(IReadOnlyList<int> pids, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        List<int> alive;
        while ((alive = [.. pids.Where(Running)]).Count > 0 && clock.Elapsed < within)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.True(alive.Count == 0, $"still running {within.TotalSeconds} s later: {string.Join(", ", alive.Select(p => $"{p} ({Command(p)})"))}");
    }

    private static bool Running(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    public async ValueTask DisposeAsync()
    {
        var children = Process.HasExited ? [] : Children();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        foreach (var pid in children.Where(Running))
        {
            Signal(pid, "KILL");
        }

        Process.Dispose();
        if (!ownsHome)
        {
            return;
        }

        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
