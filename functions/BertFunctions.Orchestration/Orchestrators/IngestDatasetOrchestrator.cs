using BertFunctions.Orchestration.Activities;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Ingests one dataset: plan, read every work unit (fan-out), consolidate (fan-in: dedup and splits), build the
/// shards of every unit (fan-out), finalize (the manifest, written last). The instance id is the ingestion run id, so
/// a replay or a restart reuses the same work files; unchanged inputs or content reuse the existing version.
/// </summary>
public sealed class IngestDatasetOrchestrator : TaskOrchestrator<IngestionRequest, IngestedDataset>
{
    public override async Task<IngestedDataset> RunAsync(TaskOrchestrationContext context, IngestionRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var run = context.InstanceId;
        var plan = await context.CallActivityAsync<PlanSummary>(nameof(PlanIngestionActivity), new PlanIngestionInput(input, run), Retries.Storage);
        if (plan.ExistingVersion is { } existing)
        {
            return await context.CallActivityAsync<IngestedDataset>(nameof(ReuseVersionActivity), new ReuseInput(input.Dataset, run, existing), Retries.Storage);
        }

        var units = Enumerable.Range(0, plan.Units).ToList();
        await Task.WhenAll(units.Select(i => context.CallActivityAsync<UnitReadResult>(nameof(ReadUnitActivity), new UnitInputRef(input, run, i), Retries.Storage)));

        var consolidation = await context.CallActivityAsync<ConsolidationResult>(nameof(ConsolidateActivity), new ConsolidateInput(input, run), Retries.Storage);
        if (consolidation.AlreadyExists)
        {
            return await context.CallActivityAsync<IngestedDataset>(nameof(ReuseVersionActivity), new ReuseInput(input.Dataset, run, consolidation.Version), Retries.Storage);
        }

        var shards = await Task.WhenAll(units.Select(i => context.CallActivityAsync<UnitShardResult>(nameof(BuildUnitShardsActivity), new BuildShardsInput(input, run, consolidation, i), Retries.Storage)));
        return await context.CallActivityAsync<IngestedDataset>(nameof(FinalizeIngestionActivity), new FinalizeInput(input, run, consolidation, shards), Retries.Storage);
    }
}
