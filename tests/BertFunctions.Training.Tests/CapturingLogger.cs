using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Training.Tests;

/// <summary>Records every log line, so tests can assert on warnings.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((logLevel, formatter(state, exception)));
    }
}

/// <summary>An IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool) and can react to events.</summary>
public sealed class EventRecorder(Action<BertFunctions.Contracts.Training.TrainingEvent>? onEvent = null) : IProgress<BertFunctions.Contracts.Training.TrainingEvent>
{
    public List<BertFunctions.Contracts.Training.TrainingEvent> Events { get; } = [];

    public void Report(BertFunctions.Contracts.Training.TrainingEvent value)
    {
        lock (Events)
        {
            Events.Add(value);
        }

        onEvent?.Invoke(value);
    }
}

/// <summary>Figures a test measured (loss curves, differences, throughput): a diagnostic message, and a line in a temp log for reports.</summary>
public static class Figures
{
    public static string LogFile { get; } = Path.Combine(Path.GetTempPath(), "bertfn-training-test-figures.log");

    public static void Report(string line)
    {
        TestContext.Current.SendDiagnosticMessage(line);
        File.AppendAllText(LogFile, $"{DateTimeOffset.UtcNow:O} {line}{Environment.NewLine}");
    }
}
