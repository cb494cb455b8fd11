namespace BertFunctions.Pipeline.Ingestion;

/// <summary>What the sequence needs of a plan to go on: how many units to fan out over, and the version these exact inputs already made, if any.</summary>
public sealed record PlannedRun(int Units, string? ExistingVersion);

/// <summary>Why a run ends by reusing a version instead of building one.</summary>
public enum ReuseReason
{
    /// <summary>Planning found the same inputs (names, sizes, ETags) ingested before.</summary>
    UnchangedInputs,

    /// <summary>Consolidation found the same content (documents, labels, splits) under an existing version.</summary>
    SameContent,
}

/// <summary>
/// The steps of ingestion as <see cref="IngestionSequence"/> calls them. The local runner calls the step classes
/// directly; the Durable orchestrator calls one activity per step. No cancellation token: an orchestrator has none to
/// pass (the implementation holds its own where it has one).
/// </summary>
/// <typeparam name="TResult">What a finished run returns (the runner's full result, the orchestrator's summary).</typeparam>
public interface IIngestionStepCalls<TResult>
{
    /// <summary>Plans the run.</summary>
    Task<PlannedRun> PlanAsync();

    /// <summary>Ends the run with an existing version.</summary>
    Task<TResult> ReuseAsync(string version, ReuseReason reason);

    /// <summary>Reads units 0 to <paramref name="units"/> - 1 (fan-out; the implementation decides how many at once).</summary>
    Task ReadUnitsAsync(int units);

    /// <summary>Deduplicates and splits across every unit read (fan-in).</summary>
    Task<ConsolidationResult> ConsolidateAsync();

    /// <summary>Builds the shards of units 0 to <paramref name="units"/> - 1 (fan-out), in unit order.</summary>
    Task<IReadOnlyList<UnitShardResult>> BuildUnitShardsAsync(ConsolidationResult consolidation, int units);

    /// <summary>Writes the version's files and its manifest (fan-in).</summary>
    Task<TResult> FinalizeAsync(ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards);
}

/// <summary>
/// The order of ingestion, defined once for every host: plan; reuse when the inputs are unchanged; read every unit;
/// consolidate; reuse when the content is unchanged; build every unit's shards; finalize. Pure control flow over
/// <see cref="IIngestionStepCalls{TResult}"/>, with no I/O and no clock of its own, so that a Durable orchestrator can
/// follow it and replay it deterministically.
/// </summary>
public static class IngestionSequence
{
    /// <summary>Runs the steps in order and returns what the last one returned.</summary>
    public static async Task<TResult> RunAsync<TResult>(IIngestionStepCalls<TResult> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        // No ConfigureAwait(false) here: in an orchestrator every continuation must run on the orchestration's own
        // context, or the replay breaks.
        var plan = await steps.PlanAsync();
        if (plan.ExistingVersion is { } existing)
        {
            return await steps.ReuseAsync(existing, ReuseReason.UnchangedInputs);
        }

        await steps.ReadUnitsAsync(plan.Units);
        var consolidation = await steps.ConsolidateAsync();
        if (consolidation.AlreadyExists)
        {
            return await steps.ReuseAsync(consolidation.Version, ReuseReason.SameContent);
        }

        var shards = await steps.BuildUnitShardsAsync(consolidation, plan.Units);
        return await steps.FinalizeAsync(consolidation, shards);
    }
}
