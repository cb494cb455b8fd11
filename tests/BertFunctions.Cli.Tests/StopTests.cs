using System.Diagnostics;
using System.Globalization;

namespace BertFunctions.Cli.Tests;

/// <summary>
/// <c>bertfn serve</c> as a process, stopped the ways people stop things: Ctrl+C (SIGINT), SIGTERM (<c>kill</c>,
/// <c>docker stop</c>, systemd), and SIGKILL, which it cannot handle but its children must survive no longer than it.
/// </summary>
public sealed class StopTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Serve_stops_within_10_s_on_a_signal_and_takes_azurite_and_the_trainer_with_it(string signal)
    {
        await using var serve = await ServeProcess.StartAsync();
        var children = serve.Children();
        Assert.True(children.Count >= 2, $"Azurite and the trainer should be children of serve: {string.Join(", ", children)}");

        var clock = Stopwatch.StartNew();
        ServeProcess.Signal(serve.Pid, signal);
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await serve.Process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"serve still runs 10 s after SIG{signal}; children {string.Join(", ", serve.Children())}; its stderr:\n{serve.Stderr}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"serve stopped {clock.Elapsed.TotalSeconds:F1} s after SIG{signal}");
        Assert.Equal(0, serve.Process.ExitCode);
        Assert.Contains($"stopping (SIG{signal})", serve.Stderr, StringComparison.Ordinal);
        await ServeProcess.AssertGoneAsync(children, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task After_serve_is_killed_with_sigkill_its_children_exit_within_10_s()
    {
        await using var serve = await ServeProcess.StartAsync();
        var children = serve.Children();
        Assert.True(children.Count >= 2, $"Azurite and the trainer should be children of serve: {string.Join(", ", children)}");

        serve.Process.Kill(); // SIGKILL to serve alone, not its tree: nothing of serve's runs after it
        await serve.Process.WaitForExitAsync(TestContext.Current.CancellationToken);
        await ServeProcess.AssertGoneAsync(children, TimeSpan.FromSeconds(10));
    }

    /// <summary>One <c>bertfn serve</c> on a fresh home and a free port, its stderr collected.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly string home;
        private readonly System.Text.StringBuilder stderr = new();

        private ServeProcess(Process process, string home)
        {
            Process = process;
            this.home = home;
        }

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

        public static async Task<ServeProcess> StartAsync()
        {
            var home = Path.Combine(Path.GetTempPath(), "bertfn-stop-" + Guid.NewGuid().ToString("N"));
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
            var serve = new ServeProcess(Process.Start(info)!, home);
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
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
