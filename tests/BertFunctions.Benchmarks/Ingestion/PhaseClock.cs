using System.Diagnostics;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Benchmarks.Ingestion;

/// <summary>
/// Times the runner's phases from its progress reports: a phase starts at its first report and ends when its last
/// unit is done (Done == Total); the gaps between are named after what the runner does there (plan, consolidate,
/// finalize). Reports come from worker threads, hence the lock.
/// </summary>
internal sealed class PhaseClock : IProgress<IngestionProgress>
{
    private readonly Stopwatch _watch = new();
    private readonly Lock _lock = new();
    private readonly List<(string Name, double Seconds)> _phases = [];
    private double _mark;

    public IReadOnlyList<(string Name, double Seconds)> Phases => _phases;

    public TimeSpan Total => _watch.Elapsed;

    public void Start() => _watch.Restart();

    public void Stop()
    {
        _watch.Stop();
        Lap("finalize");
    }

    public void Report(IngestionProgress value)
    {
        lock (_lock)
        {
            if (value.Phase == "reading and cleaning" && value.Done == 0)
            {
                Lap("plan");
            }
            else if (value.Phase == "reading and cleaning" && value.Done == value.Total)
            {
                Lap("read+clean");
            }
            else if (value.Phase == "tokenizing and writing shards" && value.Done == 0)
            {
                Lap("consolidate");
            }
            else if (value.Phase == "tokenizing and writing shards" && value.Done == value.Total)
            {
                Lap("tokenize+mask+write");
            }
        }
    }

    private void Lap(string name)
    {
        var now = _watch.Elapsed.TotalSeconds;
        _phases.Add((name, now - _mark));
        _mark = now;
    }
}
