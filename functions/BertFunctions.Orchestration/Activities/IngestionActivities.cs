using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Activities;

// The ingestion steps of BertFunctions.Pipeline as Durable activities, one step each. The plan of a run can list
// thousands of inputs, so it is stored once beside the run's work files and activities get only what they need
// (a unit, the consolidation): the orchestration history stays small whatever the corpus. For the same reason each
// activity loads the vocabulary itself (it may run on another worker) rather than receiving its bytes as input.

/// <summary>What the orchestrator keeps of a plan: enough to fan out.</summary>
public sealed record PlanSummary(string Dataset, string Run, string Fingerprint, int Units, string? ExistingVersion);

/// <summary>A dataset version ready to train on.</summary>
/// <param name="TrainLabelCounts">
/// Classification: examples per label in the training split, for the label-imbalance decision; null for text, and in
/// the history of runs started before it was recorded.
/// </param>
public sealed record IngestedDataset(string Dataset, string Version, bool Reused, int Documents, IReadOnlyList<string> Labels, IReadOnlyDictionary<string, int> DocumentsBySplit, IReadOnlyDictionary<string, long>? TrainLabelCounts = null);

public sealed record PlanIngestionInput(IngestionRequest Request, string Run);

public sealed record UnitInputRef(IngestionRequest Request, string Run, int Unit);

public sealed record ConsolidateInput(IngestionRequest Request, string Run);

public sealed record BuildShardsInput(IngestionRequest Request, string Run, ConsolidationResult Consolidation, int Unit);

public sealed record FinalizeInput(IngestionRequest Request, string Run, ConsolidationResult Consolidation, IReadOnlyList<UnitShardResult> Shards);

public sealed record ReuseInput(string Dataset, string Run, string Version);

/// <summary>Where a run's plan is kept.</summary>
internal static class PlanStore
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    public static string Name(string dataset, string run) => StorageLayout.RunPrefix(dataset, run) + "plan.json";

    public static Task WriteAsync(BlobServiceClient blobs, IngestionPlan plan, CancellationToken cancellationToken) =>
        JsonBlobs.WriteAsync(blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer), Name(plan.Dataset, plan.Run), plan, Options, cancellationToken);

    public static async Task<IngestionPlan> ReadAsync(BlobServiceClient blobs, string dataset, string run, CancellationToken cancellationToken) =>
        await JsonBlobs.TryReadAsync<IngestionPlan>(blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer), Name(dataset, run), Options, cancellationToken).ConfigureAwait(false)
        ?? throw new IngestionException($"the plan of ingestion run {run} of '{dataset}' is missing");

    public static IngestedDataset Summarize(IngestionResult result) => new(
        result.Dataset,
        result.Version,
        result.Reused,
        result.Manifest.Counts.Documents,
        result.Manifest.Labels ?? [],
        result.Manifest.Splits.ToDictionary(s => s.Key, s => s.Value.Documents, StringComparer.Ordinal),
        result.Manifest.Splits.TryGetValue(Splits.Train, out var train) ? train.LabelCounts : null);
}

/// <summary>Lists the inputs and cuts them into work units; the plan goes to blob storage, its summary to the orchestrator.</summary>
public sealed class PlanIngestionActivity(IngestionSteps steps, BlobServiceClient blobs) : TaskActivity<PlanIngestionInput, PlanSummary>
{
    public override async Task<PlanSummary> RunAsync(TaskActivityContext context, PlanIngestionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await steps.EnsureContainersAsync(CancellationToken.None).ConfigureAwait(false);
        var vocabulary = await steps.LoadVocabularyAsync(input.Request, CancellationToken.None).ConfigureAwait(false);
        var plan = await steps.PlanAsync(input.Request, vocabulary, input.Run, CancellationToken.None).ConfigureAwait(false);
        await PlanStore.WriteAsync(blobs, plan, CancellationToken.None).ConfigureAwait(false);
        return new PlanSummary(plan.Dataset, plan.Run, plan.Fingerprint, plan.Units.Count, plan.ExistingVersion);
    }
}

/// <summary>Reads and cleans one work unit (fan-out).</summary>
public sealed class ReadUnitActivity(IngestionSteps steps, BlobServiceClient blobs) : TaskActivity<UnitInputRef, UnitReadResult>
{
    public override async Task<UnitReadResult> RunAsync(TaskActivityContext context, UnitInputRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await PlanStore.ReadAsync(blobs, input.Request.Dataset, input.Run, CancellationToken.None).ConfigureAwait(false);
        return await steps.ReadUnitAsync(input.Request, input.Run, plan.Units[input.Unit], CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Deduplicates across units and assigns splits: the content-addressed version.</summary>
public sealed class ConsolidateActivity(IngestionSteps steps, BlobServiceClient blobs) : TaskActivity<ConsolidateInput, ConsolidationResult>
{
    public override async Task<ConsolidationResult> RunAsync(TaskActivityContext context, ConsolidateInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await PlanStore.ReadAsync(blobs, input.Request.Dataset, input.Run, CancellationToken.None).ConfigureAwait(false);
        var vocabulary = await steps.LoadVocabularyAsync(input.Request, CancellationToken.None).ConfigureAwait(false);
        return await steps.ConsolidateAsync(input.Request, vocabulary, plan, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Tokenizes, masks and writes the shards of one unit (fan-out).</summary>
public sealed class BuildUnitShardsActivity(IngestionSteps steps, BlobServiceClient blobs) : TaskActivity<BuildShardsInput, UnitShardResult>
{
    public override async Task<UnitShardResult> RunAsync(TaskActivityContext context, BuildShardsInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await PlanStore.ReadAsync(blobs, input.Request.Dataset, input.Run, CancellationToken.None).ConfigureAwait(false);
        var vocabulary = await steps.LoadVocabularyAsync(input.Request, CancellationToken.None).ConfigureAwait(false);
        return await steps.BuildUnitShardsAsync(input.Request, vocabulary, plan, input.Consolidation, plan.Units[input.Unit], CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>Writes statistics, the quarantine report and, last, the manifest: the version exists from here on.</summary>
public sealed class FinalizeIngestionActivity(IngestionSteps steps, BlobServiceClient blobs, TimeProvider time) : TaskActivity<FinalizeInput, IngestedDataset>
{
    public override async Task<IngestedDataset> RunAsync(TaskActivityContext context, FinalizeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await PlanStore.ReadAsync(blobs, input.Request.Dataset, input.Run, CancellationToken.None).ConfigureAwait(false);
        var vocabulary = await steps.LoadVocabularyAsync(input.Request, CancellationToken.None).ConfigureAwait(false);
        var result = await steps.FinalizeAsync(input.Request, vocabulary, plan, input.Consolidation, input.Shards, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        return PlanStore.Summarize(result);
    }
}

/// <summary>The same inputs or content were ingested before: records that and returns the existing version.</summary>
public sealed class ReuseVersionActivity(IngestionSteps steps, BlobServiceClient blobs) : TaskActivity<ReuseInput, IngestedDataset>
{
    public override async Task<IngestedDataset> RunAsync(TaskActivityContext context, ReuseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await PlanStore.ReadAsync(blobs, input.Dataset, input.Run, CancellationToken.None).ConfigureAwait(false);
        return PlanStore.Summarize(await steps.ReuseAsync(plan, input.Version, CancellationToken.None).ConfigureAwait(false));
    }
}
