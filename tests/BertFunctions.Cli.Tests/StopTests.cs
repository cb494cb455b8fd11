using System.Diagnostics;

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
}
