using System.Globalization;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>Where an ingestion is: phase, and units done of the phase's total.</summary>
public sealed record IngestionProgress(string Phase, int Done, int Total);

/// <summary>
/// Runs the ingestion steps in one process, fanning out over work units with as many workers as cores: what the
/// CLI and the local host use. The Durable orchestration runs the same steps as activities.
/// </summary>
public sealed class LocalIngestionRunner(IngestionSteps steps, TimeProvider time)
{
    public async Task<IngestionResult> RunAsync(IngestionRequest request, IProgress<IngestionProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await steps.EnsureContainersAsync(cancellationToken).ConfigureAwait(false);
        var run = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var plan = await steps.PlanAsync(request, run, cancellationToken).ConfigureAwait(false);
        if (plan.ExistingVersion is { } existing)
        {
            progress?.Report(new IngestionProgress("unchanged inputs: existing version", 1, 1));
            return await steps.ReuseAsync(plan, existing, cancellationToken).ConfigureAwait(false);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        var read = 0;
        progress?.Report(new IngestionProgress("reading and cleaning", 0, plan.Units.Count));
        await Parallel.ForEachAsync(plan.Units, parallel, async (unit, ct) =>
        {
            await steps.ReadUnitAsync(request, run, unit, ct).ConfigureAwait(false);
            progress?.Report(new IngestionProgress("reading and cleaning", Interlocked.Increment(ref read), plan.Units.Count));
        }).ConfigureAwait(false);

        var consolidation = await steps.ConsolidateAsync(request, plan, cancellationToken).ConfigureAwait(false);
        if (consolidation.AlreadyExists)
        {
            progress?.Report(new IngestionProgress("same content: existing version", 1, 1));
            return await steps.ReuseAsync(plan, consolidation.Version, cancellationToken).ConfigureAwait(false);
        }

        var built = 0;
        var shards = new UnitShardResult[plan.Units.Count];
        progress?.Report(new IngestionProgress("tokenizing and writing shards", 0, plan.Units.Count));
        await Parallel.ForEachAsync(plan.Units, parallel, async (unit, ct) =>
        {
            shards[unit.Index] = await steps.BuildUnitShardsAsync(request, plan, consolidation, unit, ct).ConfigureAwait(false);
            progress?.Report(new IngestionProgress("tokenizing and writing shards", Interlocked.Increment(ref built), plan.Units.Count));
        }).ConfigureAwait(false);

        var result = await steps.FinalizeAsync(request, plan, consolidation, shards, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        progress?.Report(new IngestionProgress("done", 1, 1));
        return result;
    }
}
