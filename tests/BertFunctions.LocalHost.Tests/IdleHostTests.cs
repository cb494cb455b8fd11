using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BertFunctions.LocalHost.Tests;

/// <summary>An idle host is quiet: a warning should mean something is wrong.</summary>
public sealed class IdleHostTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task An_idle_host_with_its_trainer_logs_nothing_at_warning_level_for_longer_than_the_workers_silent_disconnect_window()
    {
        var warnings = new ConcurrentQueue<string>();
        await using var host = await fixture.StartHostAsync(trainer: true, logging => logging.AddProvider(new WarningCollector(warnings)).SetMinimumLevel(LogLevel.Warning));

        // The Durable worker's silent-disconnect window is 2 minutes: before, an idle host warned "Channel to backend
        // has stopped receiving traffic" at 2:00 and every 2 minutes after.
        await Task.Delay(TimeSpan.FromSeconds(135), TestContext.Current.CancellationToken);
        Assert.True(warnings.IsEmpty, string.Join(Environment.NewLine, warnings));
    }

    private sealed class WarningCollector(ConcurrentQueue<string> warnings) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, warnings);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    warnings.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
