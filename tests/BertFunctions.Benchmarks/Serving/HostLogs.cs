using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// The host's log lines at Information and above, each with the Stopwatch timestamp it arrived at and its structured
/// values: the serving library already logs the download, load and warm-up times, and the swap, so the bench reads
/// its phases from there instead of instrumenting the code under test. Warnings and errors are also echoed to stderr.
/// </summary>
internal sealed class HostLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> entries = new();

    public sealed record Entry(long Timestamp, LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Values)
    {
        public double Number(string key) => Convert.ToDouble(Values[key], CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<Entry> Entries => [.. entries];

    /// <summary>The first entry whose message template starts with <paramref name="prefix"/>, if any.</summary>
    public Entry? First(string prefix) =>
        entries.FirstOrDefault(e => e.Values.TryGetValue("{OriginalFormat}", out var format) && format is string s && s.StartsWith(prefix, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(HostLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : [];
            var message = formatter(state, exception);
            owner.entries.Enqueue(new Entry(Stopwatch.GetTimestamp(), logLevel, category, message, values));
            // The bench runs no trainer on purpose; the supervisor's warning about it would only repeat in every host.
            if (logLevel >= LogLevel.Warning && category != "BertFunctions.LocalHost.TrainerSupervisor")
            {
                Console.Error.WriteLine($"  host {logLevel}: {category}: {message}{(exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]")}");
            }
        }
    }
}
