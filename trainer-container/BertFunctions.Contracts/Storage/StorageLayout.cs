namespace BertFunctions.Contracts.Storage;

/// <summary>
/// Where everything lives in Blob Storage. One place, so that the Functions app, the trainer and the CLI agree;
/// docs/storage-layout.md describes the same tree for people.
/// </summary>
public static class StorageLayout
{
    /// <summary>What users upload: <c>raw/{dataset}/...</c> (unlabeled domain text) and <c>labeled/{dataset}/...</c>.</summary>
    public const string UploadsContainer = "uploads";

    /// <summary>Dataset versions (shards, manifest, labels), their fingerprint index and work files of ingestion runs.</summary>
    public const string DatasetsContainer = "datasets";

    /// <summary>Copies of rejected input files and the row-level quarantine of each ingestion run.</summary>
    public const string QuarantineContainer = "quarantine";

    /// <summary>Training checkpoints, one folder per job.</summary>
    public const string CheckpointsContainer = "checkpoints";

    /// <summary>Model packages: <c>{name}/{version}/</c>.</summary>
    public const string ModelsContainer = "models";

    /// <summary>Training runs: one record per orchestration (what survives a restart of the host), dispatch markers.</summary>
    public const string RunsContainer = "runs";

    public static IReadOnlyList<string> AllContainers { get; } =
        [UploadsContainer, DatasetsContainer, QuarantineContainer, CheckpointsContainer, ModelsContainer, RunsContainer];

    /// <summary>Per-dataset pipeline settings a user may upload (a training request without the dataset): <c>config/{dataset}.json</c>.</summary>
    public static string DatasetSettings(string dataset) => $"config/{BlobNames.Dataset(dataset)}.json";

    /// <summary>The record of one training run, in the runs container.</summary>
    public static string RunRecord(string runId) => $"{BlobNames.Version(runId)}/run.json";

    /// <summary>The result of a strategy comparison experiment, in the runs container.</summary>
    public static string ExperimentRecord(string experimentId) => $"{BlobNames.Version(experimentId)}/experiment.json";

    /// <summary>A file of an experiment's report (<c>index.html</c>, the plots), in the runs container.</summary>
    public static string ExperimentReport(string experimentId, string file) => $"{BlobNames.Version(experimentId)}/report/{ReportFile(file)}";

    // A report file is a plain name with an extension (index.html, quality.png): no folders, nothing to escape.
    private static string ReportFile(string file) =>
        file.Length is > 0 and <= 64 && file.Count(c => c == '.') == 1 && file.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.') && file[0] != '.' && file[^1] != '.'
            ? file
            : throw new ArgumentException($"invalid report file name '{file}'", nameof(file));

    /// <summary>Marker that a trainer job message was sent (dispatch is idempotent across activity retries).</summary>
    public static string DispatchMarker(string runId, string jobId, int attempt) => $"{BlobNames.Version(runId)}/jobs/{BlobNames.Version(jobId)}-{attempt}.json";

    /// <summary>In the checkpoints container: a request to stop the trainer job (its run was cancelled), which the trainer looks for while it trains.</summary>
    public static string CancelRequest(string jobId) => $"{BlobNames.Version(jobId)}/cancel.json";

    /// <summary>In the checkpoints container: the blob a trainer leases while it trains the job, so that no second worker trains it at once.</summary>
    public static string WorkerLease(string jobId) => $"{BlobNames.Version(jobId)}/worker.lease";

    /// <summary>Which version of a model is live (champion), in the models container.</summary>
    public static string LiveModel(string model) => $"{BlobNames.Dataset(model)}/live.json";

    /// <summary>Prefix of a dataset's unlabeled uploads.</summary>
    public static string RawPrefix(string dataset) => $"raw/{BlobNames.Dataset(dataset)}/";

    /// <summary>Prefix of a dataset's labeled uploads; a folder below it may name the label.</summary>
    public static string LabeledPrefix(string dataset) => $"labeled/{BlobNames.Dataset(dataset)}/";

    /// <summary>
    /// The file name an uploader writes after its last file (<c>labeled/{dataset}/_SUCCESS</c> or
    /// <c>raw/{dataset}/_SUCCESS</c>, Hadoop's convention): the upload is complete, so the run starts now instead of
    /// after the debounce window. Never read as data; its content is ignored.
    /// </summary>
    public const string UploadComplete = "_SUCCESS";

    /// <summary>Whether an uploads blob is a completion marker (<see cref="UploadComplete"/> at a dataset's labeled or raw root).</summary>
    public static bool IsUploadComplete(string blobName) =>
        blobName is not null && blobName.Split('/') is ["labeled" or "raw", _, UploadComplete];

    /// <summary>Folder of one immutable dataset version.</summary>
    public static string VersionPrefix(string dataset, string version) => $"{BlobNames.Dataset(dataset)}/versions/{BlobNames.Version(version)}/";

    /// <summary>The manifest, written last: a version exists exactly when its manifest does.</summary>
    public static string Manifest(string dataset, string version) => VersionPrefix(dataset, version) + "manifest.json";

    /// <summary>Folder, inside a version, of one split's cleaned texts (classification versions).</summary>
    public static string TextFolder(string split) => $"text/{BlobNames.Dataset(split)}/";

    /// <summary>One work unit's cleaned texts of a split, relative to the version folder.</summary>
    public static string TextFile(string split, int unit) => TextFolder(split) + string.Create(System.Globalization.CultureInfo.InvariantCulture, $"u{unit:D5}.jsonl.gz");

    /// <summary>Index entry: input fingerprint (names, ETags, configuration) to the version it produced.</summary>
    public static string FingerprintIndex(string dataset, string fingerprint) => $"{BlobNames.Dataset(dataset)}/index/{BlobNames.Version(fingerprint)}.json";

    /// <summary>Work files of one ingestion run (per-unit documents, plans and statistics).</summary>
    public static string RunPrefix(string dataset, string run) => $"{BlobNames.Dataset(dataset)}/runs/{BlobNames.Version(run)}/";

    /// <summary>Quarantine of one ingestion run.</summary>
    public static string QuarantinePrefix(string dataset, string run) => $"{BlobNames.Dataset(dataset)}/{BlobNames.Version(run)}/";
}
