using BertFunctions.Orchestration.Activities;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Ingests one dataset by following <see cref="IngestionSequence"/> with one activity per step: plan, read every work
/// unit (fan-out), consolidate (fan-in: dedup and splits), build the shards of every unit (fan-out), finalize (the
/// manifest, written last). The instance id is the ingestion run id, so a replay or a restart reuses the same work
/// files; unchanged inputs or content reuse the existing version.
/// </summary>
public sealed class IngestDatasetOrchestrator : TaskOrchestrator<IngestionRequest, IngestedDataset>
{
    /// <inheritdoc/>
    public override Task<IngestedDataset> RunAsync(TaskOrchestrationContext context, IngestionRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        return IngestionSequence.RunAsync(new ActivityCalls(context, input));
    }

    /// <summary>Each step as its activity; nothing here does I/O, so the orchestration replays deterministically.</summary>
    private sealed class ActivityCalls(TaskOrchestrationContext context, IngestionRequest input) : IIngestionStepCalls<IngestedDataset>
    {
        private string Run => context.InstanceId;

        public async Task<PlannedRun> PlanAsync()
        {
            var plan = await context.CallActivityAsync<PlanSummary>(nameof(PlanIngestionActivity), new PlanIngestionInput(input, Run), Retries.Storage);
            return new PlannedRun(plan.Units, plan.ExistingVersion);
        }

        public Task<IngestedDataset> ReuseAsync(string version, ReuseReason reason) =>
            context.CallActivityAsync<IngestedDataset>(nameof(ReuseVersionActivity), new ReuseInput(input.Dataset, Run, version), Retries.Storage);

        public Task ReadUnitsAsync(int units) =>
            Task.WhenAll(Enumerable.Range(0, units).Select(i => context.CallActivityAsync<UnitReadResult>(nameof(ReadUnitActivity), new UnitInputRef(input, Run, i), Retries.Storage)));

        public Task<ConsolidationResult> ConsolidateAsync() =>
            context.CallActivityAsync<ConsolidationResult>(nameof(ConsolidateActivity), new ConsolidateInput(input, Run), Retries.Storage);

        public async Task<IReadOnlyList<UnitShardResult>> BuildUnitShardsAsync(ConsolidationResult consolidation, int units) =>
            await Task.WhenAll(Enumerable.Range(0, units).Select(i => context.CallActivityAsync<UnitShardResult>(nameof(BuildUnitShardsActivity), new BuildShardsInput(input, Run, consolidation, i), Retries.Storage)));

        public Task<IngestedDataset> FinalizeAsync(ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards) =>
            context.CallActivityAsync<IngestedDataset>(nameof(FinalizeIngestionActivity), new FinalizeInput(input, Run, consolidation, shards), Retries.Storage);
    }
}
