using BertFunctions.Datasets;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Pipeline.Tests;

/// <summary>The order of ingestion that the local runner and the orchestrator both follow.</summary>
public sealed class IngestionSequenceTests
{
    [Fact]
    public async Task New_content_runs_every_step_in_order_over_every_unit()
    {
        var calls = new RecordingCalls(new PlannedRun(3, null), Consolidation(alreadyExists: false));

        var result = await IngestionSequence.RunAsync(calls);

        Assert.Equal("finalized v1 from 3 shard sets", result);
        Assert.Equal(["plan", "read 3", "consolidate", "build 3 for v1", "finalize 3"], calls.Log);
    }

    [Fact]
    public async Task Unchanged_inputs_reuse_the_existing_version_without_reading()
    {
        var calls = new RecordingCalls(new PlannedRun(5, "v0"), Consolidation(alreadyExists: false));

        var result = await IngestionSequence.RunAsync(calls);

        Assert.Equal("reused v0 (UnchangedInputs)", result);
        Assert.Equal(["plan", "reuse v0 UnchangedInputs"], calls.Log);
    }

    [Fact]
    public async Task Content_seen_before_reuses_its_version_without_building_shards()
    {
        var calls = new RecordingCalls(new PlannedRun(2, null), Consolidation(alreadyExists: true));

        var result = await IngestionSequence.RunAsync(calls);

        Assert.Equal("reused v1 (SameContent)", result);
        Assert.Equal(["plan", "read 2", "consolidate", "reuse v1 SameContent"], calls.Log);
    }

    [Fact]
    public async Task A_failing_step_stops_the_sequence()
    {
        var calls = new RecordingCalls(new PlannedRun(2, null), Consolidation(alreadyExists: false)) { FailConsolidation = true };

        await Assert.ThrowsAsync<IngestionException>(() => IngestionSequence.RunAsync(calls));

        Assert.Equal(["plan", "read 2", "consolidate"], calls.Log);
    }

    private static ConsolidationResult Consolidation(bool alreadyExists) =>
        new("v1", alreadyExists, 10, 0, new Dictionary<string, int> { [Splits.Train] = 10 }, []);

    /// <summary>Records each call; returns canned results.</summary>
    private sealed class RecordingCalls(PlannedRun plan, ConsolidationResult consolidation) : IIngestionStepCalls<string>
    {
        public List<string> Log { get; } = [];

        public bool FailConsolidation { get; init; }

        public Task<PlannedRun> PlanAsync()
        {
            Log.Add("plan");
            return Task.FromResult(plan);
        }

        public Task<string> ReuseAsync(string version, ReuseReason reason)
        {
            Log.Add($"reuse {version} {reason}");
            return Task.FromResult($"reused {version} ({reason})");
        }

        public Task ReadUnitsAsync(int units)
        {
            Log.Add($"read {units}");
            return Task.CompletedTask;
        }

        public Task<ConsolidationResult> ConsolidateAsync()
        {
            Log.Add("consolidate");
            return FailConsolidation ? Task.FromException<ConsolidationResult>(new IngestionException("empty")) : Task.FromResult(consolidation);
        }

        public Task<IReadOnlyList<UnitShardResult>> BuildUnitShardsAsync(ConsolidationResult consolidation, int units)
        {
            Log.Add($"build {units} for {consolidation.Version}");
            IReadOnlyList<UnitShardResult> shards = [.. Enumerable.Range(0, units).Select(i => new UnitShardResult(i, [], new Dictionary<string, string>()))];
            return Task.FromResult(shards);
        }

        public Task<string> FinalizeAsync(ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards)
        {
            Log.Add($"finalize {shards.Count}");
            return Task.FromResult($"finalized {consolidation.Version} from {shards.Count} shard sets");
        }
    }
}
