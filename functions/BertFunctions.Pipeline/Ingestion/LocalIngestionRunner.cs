using System.Globalization;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>Where an ingestion is: phase, and units done of the phase's total.</summary>
public sealed record IngestionProgress(string Phase, int Done, int Total);

/// <summary>
/// Runs <see cref="IngestionSequence"/> in one process, calling the steps directly and fanning out over work units
/// with as many workers as cores: what the CLI and the local host use. The Durable orchestration follows the same
/// sequence through activities.
/// </summary>
public sealed class LocalIngestionRunner(IngestionSteps steps, TimeProvider time)
{
    /// <summary>Ingests <paramref name="request"/> as a new run, reporting each phase's progress.</summary>
    public async Task<IngestionResult> RunAsync(IngestionRequest request, IProgress<IngestionProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await steps.EnsureContainersAsync(cancellationToken).ConfigureAwait(false);
        var run = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        // One process runs every step, so the vocabulary is loaded once and handed to each.
        var vocabulary = await steps.LoadVocabularyAsync(request, cancellationToken).ConfigureAwait(false);
        var calls = new StepCalls(steps, time, request, vocabulary, run, progress, cancellationToken);
        return await IngestionSequence.RunAsync(calls).ConfigureAwait(false);
    }

    /// <summary>One run's calls: holds the full plan, which the sequence itself only sees in outline.</summary>
    private sealed class StepCalls(
        IngestionSteps steps,
        TimeProvider time,
        IngestionRequest request,
        IngestionVocabulary vocabulary,
        string run,
        IProgress<IngestionProgress>? progress,
        CancellationToken cancellationToken) : IIngestionStepCalls<IngestionResult>
    {
        private IngestionPlan? _plan;

        private IngestionPlan Plan => _plan ?? throw new InvalidOperationException("the run has not been planned");

        private ParallelOptions Parallelism => new() { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };

        public async Task<PlannedRun> PlanAsync()
        {
            _plan = await steps.PlanAsync(request, vocabulary, run, cancellationToken).ConfigureAwait(false);
            return new PlannedRun(_plan.Units.Count, _plan.ExistingVersion);
        }

        public async Task<IngestionResult> ReuseAsync(string version, ReuseReason reason)
        {
            progress?.Report(new IngestionProgress(reason == ReuseReason.UnchangedInputs ? "unchanged inputs: existing version" : "same content: existing version", 1, 1));
            return await steps.ReuseAsync(Plan, version, cancellationToken).ConfigureAwait(false);
        }

        public async Task ReadUnitsAsync(int units)
        {
            var read = 0;
            progress?.Report(new IngestionProgress("reading and cleaning", 0, units));
            await Parallel.ForEachAsync(Plan.Units, Parallelism, async (unit, ct) =>
            {
                await steps.ReadUnitAsync(request, run, unit, ct).ConfigureAwait(false);
                progress?.Report(new IngestionProgress("reading and cleaning", Interlocked.Increment(ref read), units));
            }).ConfigureAwait(false);
        }

        public Task<ConsolidationResult> ConsolidateAsync() => steps.ConsolidateAsync(request, vocabulary, Plan, cancellationToken);

        public async Task<IReadOnlyList<UnitShardResult>> BuildUnitShardsAsync(ConsolidationResult consolidation, int units)
        {
            var built = 0;
            var shards = new UnitShardResult[units];
            progress?.Report(new IngestionProgress("tokenizing and writing shards", 0, units));
            await Parallel.ForEachAsync(Plan.Units, Parallelism, async (unit, ct) =>
            {
                shards[unit.Index] = await steps.BuildUnitShardsAsync(request, vocabulary, Plan, consolidation, unit, ct).ConfigureAwait(false);
                progress?.Report(new IngestionProgress("tokenizing and writing shards", Interlocked.Increment(ref built), units));
            }).ConfigureAwait(false);
            return shards;
        }

        public async Task<IngestionResult> FinalizeAsync(ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards)
        {
            var result = await steps.FinalizeAsync(request, vocabulary, Plan, consolidation, shards, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            progress?.Report(new IngestionProgress("done", 1, 1));
            return result;
        }
    }
}
