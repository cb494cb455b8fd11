using Azure.Storage.Blobs;
using BertFunctions.Datasets;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The steps of ingestion in one service, each idempotent and safe to repeat, so that a Durable orchestration can run
/// them as activities (fanning out over work units) and the local runner can call them in a loop, both in the order
/// <see cref="IngestionSequence"/> defines. Each step lives in its own class (<see cref="PlanStep"/>,
/// <see cref="ReadUnitStep"/>, <see cref="ConsolidateStep"/>, <see cref="BuildUnitShardsStep"/>,
/// <see cref="FinalizeStep"/>, <see cref="ReuseVersionStep"/>); this class only hands calls to them. All state lives
/// in blobs under <c>datasets/{dataset}/runs/{run}/</c> and <c>datasets/{dataset}/versions/</c>.
/// </summary>
public sealed class IngestionSteps(BlobServiceClient blobs, ILogger<IngestionSteps> logger)
{
    private readonly PlanStep _plan = new(blobs, logger);
    private readonly ReadUnitStep _read = new(blobs);
    private readonly ConsolidateStep _consolidate = new(blobs, logger);
    private readonly BuildUnitShardsStep _build = new(blobs);
    private readonly FinalizeStep _finalize = new(blobs);
    private readonly ReuseVersionStep _reuse = new(blobs);
    private readonly DatasetManifestQueries _manifests = new(blobs);

    /// <summary>Creates the containers the pipeline uses (no public access).</summary>
    public Task EnsureContainersAsync(CancellationToken cancellationToken) => PipelineContainers.EnsureAsync(blobs, cancellationToken);

    /// <summary>The vocabulary the request tokenizes with: load it once per run (or per activity) and pass it to the steps.</summary>
    public Task<IngestionVocabulary> LoadVocabularyAsync(IngestionRequest request, CancellationToken cancellationToken) =>
        IngestionVocabulary.LoadAsync(blobs, request, cancellationToken);

    /// <summary>Lists the inputs, cuts them into work units and looks up whether these exact inputs were ingested before.</summary>
    public Task<IngestionPlan> PlanAsync(IngestionRequest request, IngestionVocabulary vocabulary, string run, CancellationToken cancellationToken) =>
        _plan.RunAsync(request, vocabulary, run, cancellationToken);

    /// <summary>Reads and cleans one unit: its documents go to the run's work files, its rejects to quarantine.</summary>
    public Task<UnitReadResult> ReadUnitAsync(IngestionRequest request, string run, WorkUnit unit, CancellationToken cancellationToken) =>
        _read.RunAsync(request, run, unit, cancellationToken);

    /// <summary>Deduplicates across units, splits, discovers the labels and derives the content-addressed version.</summary>
    public Task<ConsolidationResult> ConsolidateAsync(IngestionRequest request, IngestionVocabulary vocabulary, IngestionPlan plan, CancellationToken cancellationToken) =>
        _consolidate.RunAsync(request, vocabulary, plan, cancellationToken);

    /// <summary>Tokenizes one unit's kept documents and writes its shards for each split.</summary>
    public Task<UnitShardResult> BuildUnitShardsAsync(IngestionRequest request, IngestionVocabulary vocabulary, IngestionPlan plan, ConsolidationResult consolidation, WorkUnit unit, CancellationToken cancellationToken) =>
        _build.RunAsync(request, vocabulary, plan, consolidation, unit, cancellationToken);

    /// <summary>Merges the units' statistics and writes the version's files, the manifest last.</summary>
    public Task<IngestionResult> FinalizeAsync(IngestionRequest request, IngestionVocabulary vocabulary, IngestionPlan plan, ConsolidationResult consolidation, IReadOnlyList<UnitShardResult> shards, DateTimeOffset now, CancellationToken cancellationToken) =>
        _finalize.RunAsync(request, vocabulary, plan, consolidation, shards, now, cancellationToken);

    /// <summary>Records that these inputs produced an existing version (a re-ingest that found identical content).</summary>
    public Task<IngestionResult> ReuseAsync(IngestionPlan plan, string version, CancellationToken cancellationToken) =>
        _reuse.RunAsync(plan, version, cancellationToken);

    /// <summary>The newest complete version of a dataset (by its manifest's time), or null when it has none.</summary>
    public Task<string?> LatestVersionAsync(string dataset, CancellationToken cancellationToken) =>
        _manifests.LatestVersionAsync(dataset, cancellationToken);

    /// <summary>The manifest of a version.</summary>
    public Task<DatasetManifest> ReadManifestAsync(string dataset, string version, CancellationToken cancellationToken) =>
        _manifests.ReadAsync(dataset, version, cancellationToken);
}
