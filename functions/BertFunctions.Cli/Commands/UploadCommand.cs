using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Cli.Hosting;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn upload PATH --dataset NAME</c>: what a team does with its own data. Puts a file or folder under the
/// dataset's upload prefix (unchanged files skipped), writes the dataset's settings when reading options or training
/// settings are given, marks the upload complete, and follows the run the upload starts to its promoted model. The
/// pipeline does the work (the host that watches the storage: <c>bertfn serve</c>'s, one started here, or a deployed
/// app); this command only uploads and watches, so what it does is what any other uploader does.
/// </summary>
public sealed class UploadCommand(ConsoleStreams streams) : AsyncCommand<UploadCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PATH>")]
        [Description("A file (CSV, TSV, JSONL, Parquet, text, email) or a folder of them.")]
        public string Path { get; init; } = "";

        [CommandOption("-d|--dataset <NAME>")]
        [Description("Dataset (and model) name: 2-63 characters of a-z, 0-9 and hyphens.")]
        public string Dataset { get; init; } = "";

        [CommandOption("--labeled")]
        [Description("Labeled data for classification (the default): uploads/labeled/NAME/.")]
        public bool Labeled { get; init; }

        [CommandOption("--raw")]
        [Description("Unlabeled domain text for dapt and scratch runs: uploads/raw/NAME/.")]
        public bool Raw { get; init; }

        [CommandOption("--text-field <NAME>")]
        [Description("CSV/TSV column or JSONL field with the text (default: text).")]
        public string? TextField { get; init; }

        [CommandOption("--label-field <NAME>")]
        [Description("CSV/TSV column or JSONL field with the label (default: label).")]
        public string? LabelField { get; init; }

        [CommandOption("--label-from-folder")]
        [Description("The label is the name of the folder that holds each file (PATH/LABEL/file.txt).")]
        public bool LabelFromFolder { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("auto (default: by extension), text, jsonl, csv, tsv, parquet or email.")]
        public string? Format { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Fine-tuning steps of the run (default: the recipe's, 3 epochs). A few hundred finish in minutes on a laptop CPU.")]
        public int? Steps { get; init; }

        [CommandOption("--settings <FILE>")]
        [Description("A training request as JSON (strategy, fine_tuning, reading, require_beat_baseline ...; docs/pipeline.md), written as the dataset's settings.")]
        public string? SettingsFile { get; init; }

        [CommandOption("--no-follow")]
        [Description("Return once uploaded, without waiting for the run.")]
        public bool NoFollow { get; init; }

        [CommandOption("--timeout <MINUTES>")]
        [Description("Stop following after this long (default 120; the run goes on).")]
        public int TimeoutMinutes { get; init; } = 120;

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default: the local home's Azurite, through 'bertfn serve' when it runs), or an Azure account: https://ACCOUNT.blob.core.windows.net (Entra ID). Default from BERTFN_STORAGE.")]
        public string? Storage { get; init; }

        [CommandOption("--endpoint <URL>")]
        [Description("With an Azure account: the deployed Functions app to follow the run on (https://APP.azurewebsites.net, key in BERTFN_ADMIN_KEY).")]
        public string? Endpoint { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Dataset) ? ValidationResult.Error("--dataset is required")
            : Labeled && Raw ? ValidationResult.Error("give --labeled or --raw, not both")
            : Raw && (TextField is not null || LabelField is not null || LabelFromFolder || Format is not null) ? ValidationResult.Error("--text-field, --label-field, --label-from-folder and --format describe labeled data; raw uploads are read as text, JSONL 'text' fields, CSV 'text' columns or emails by extension")
            : LabelFromFolder && LabelField is not null ? ValidationResult.Error("give --label-from-folder or --label-field, not both")
            : Steps is < 1 or > 1_000_000 ? ValidationResult.Error("--steps must be 1-1000000")
            : TimeoutMinutes < 1 ? ValidationResult.Error("--timeout must be at least 1 minute")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            BlobNames.Dataset(settings.Dataset);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--dataset: {e.Message}", ExitCodes.Usage);
        }

        if (!File.Exists(settings.Path) && !Directory.Exists(settings.Path))
        {
            throw new CliException($"'{settings.Path}' not found", ExitCodes.NoInput);
        }

        var labeled = !settings.Raw;
        var format = settings.Format is null ? (InputFormat?)null : IngestCommand.ParseFormat(settings.Format);
        var overrides = new DatasetSettingsFile.Overrides(settings.TextField, settings.LabelField, settings.LabelFromFolder,
            format is { } f ? JsonNamingPolicy.SnakeCaseLower.ConvertName(f.ToString()) : null, settings.Steps);
        // The settings are checked before anything starts: a typo in them is a one-line error, not a failed run.
        DatasetSettingsFile.Compose(settings.Dataset, settings.SettingsFile, overrides, labeled, existing: null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(settings.TimeoutMinutes));
        var ct = timeout.Token;

        await using var target = await UploadTarget.OpenAsync(settings.Storage, settings.Endpoint, settings.NoFollow, streams.Error, ct).ConfigureAwait(false);
        Say(target.Description);
        var uploads = target.Storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);

        // 1. The settings first: a run that starts while the files are still arriving must already read them right.
        var existing = await DatasetSettingsFile.ReadAsync(uploads, settings.Dataset, ct).ConfigureAwait(false);
        var wanted = DatasetSettingsFile.Compose(settings.Dataset, settings.SettingsFile, overrides, labeled, existing);
        var settingsChanged = wanted is not null && wanted != existing;
        if (settingsChanged)
        {
            await uploads.GetBlobClient(StorageLayout.DatasetSettings(settings.Dataset)).UploadAsync(BinaryData.FromString(wanted!), overwrite: true, ct).ConfigureAwait(false);
        }

        // 2. The files: the reader's own filter, so what is uploaded is what ingestion reads (no stray .DS_Store).
        var prefix = labeled ? StorageLayout.LabeledPrefix(settings.Dataset) : StorageLayout.RawPrefix(settings.Dataset);
        var reader = new DocumentReader(new IngestionOptions { Labeled = labeled, Format = format ?? InputFormat.Auto });
        Func<string, bool> accepts = reader.Accepts;
        var outcome = await UploadFilesAsync(uploads, settings.Path, prefix, accepts, ct).ConfigureAwait(false);
        if (outcome.Uploaded + outcome.Unchanged == 0)
        {
            throw new CliException($"'{settings.Path}' has no file ingestion reads (text, JSONL, CSV, TSV, Parquet, email, or .gz of them)", ExitCodes.NoInput);
        }

        // 3. Done: the completion marker starts the run now instead of after the quiet period. It is not part of the
        //    uploads' fingerprint, so writing it again on a re-upload changes nothing.
        await uploads.GetBlobClient(prefix + StorageLayout.UploadComplete).UploadAsync(BinaryData.Empty, overwrite: true, ct).ConfigureAwait(false);
        var changed = outcome.Uploaded > 0 || settingsChanged;
        Say(string.Create(CultureInfo.InvariantCulture, $"{(changed ? "uploaded" : "nothing changed:")} {outcome.Uploaded} new or changed files ({outcome.Bytes / 1e6:N1} MB), {outcome.Unchanged} unchanged, to {StorageLayout.UploadsContainer}/{prefix}{(settingsChanged ? $"; settings {StorageLayout.UploadsContainer}/{StorageLayout.DatasetSettings(settings.Dataset)}" : "")}"));

        // 4. The run these uploads start: its id derives from the uploads and the settings, so it is known now.
        var summary = await new UploadInspector(target.Storage.Blobs).InspectAsync(settings.Dataset, ct).ConfigureAwait(false);
        if (summary.LabeledFiles == 0)
        {
            Say($"dataset {settings.Dataset} has no labeled uploads yet, so no run starts: upload labeled data with 'bertfn upload PATH --dataset {settings.Dataset}'");
            return ExitCodes.Ok;
        }

        var request = UploadInspector.RequestFor(settings.Dataset, summary);
        var runId = RunIds.Run(settings.Dataset, request.Strategy, summary.Fingerprint, request.Hash());
        var output = ConsoleStreams.OutputConsole(new StreamWriter(streams.Output) { AutoFlush = true });
        output.WriteLine($"run {runId}");
        if (target.Http is not { } http)
        {
            Say($"the app that watches {target.Storage.Description} starts run {runId}; follow it with 'bertfn runs follow {runId} --endpoint https://APP.azurewebsites.net'");
            return ExitCodes.Ok;
        }

        if (!changed)
        {
            Say($"these uploads were already there: their run is {runId}, and no second run starts");
        }

        if (settings.NoFollow)
        {
            Say(target.StopsWithCommand
                ? $"no host was running on {CliHome.Path}: run {runId} starts when 'bertfn serve' does; 'bertfn runs follow {runId}' then shows it"
                : $"'bertfn runs follow {runId}' shows its progress");
            return ExitCodes.Ok;
        }

        var status = await new StatusFollower(streams, http).FollowAsync($"api/training/{runId}", $"run {runId}", RunViews.Run, TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        if (status.Outcome is not { State: RunStates.Completed } done)
        {
            throw new CliException($"run {runId} ended {status.Outcome?.State ?? status.RuntimeStatus}: {status.Error ?? status.Outcome?.Reason ?? status.Message}", ExitCodes.Internal);
        }

        RunOutcomeTable.Write(output, runId, done);
        if (done.ClassReports?.GetValueOrDefault("test") is { } classes)
        {
            ClassReportTable.Write(output, classes);
        }

        if (done.DatasetVersions?.GetValueOrDefault("labeled") is { } version)
        {
            output.WriteLine(await DatasetLineAsync(target.Storage, settings.Dataset, version, ct).ConfigureAwait(false));
        }

        // A host this command started stops with it; the model is in storage and 'bertfn serve' serves it.
        var serving = target.HostStopsAfter ? new Uri("http://localhost:7071/") : http.BaseAddress!;
        output.WriteLine($"classify{(target.HostStopsAfter ? " (after './bertfn serve')" : "")}: curl -X POST {serving}api/classify -H 'content-type: application/json' -d '{{\"model\": \"{request.ModelName}\", \"texts\": [\"...\"], \"top_k\": 3}}'");
        return ExitCodes.Ok;
    }

    private async Task<Uploader.Outcome> UploadFilesAsync(BlobContainerClient uploads, string path, string prefix, Func<string, bool> accepts, CancellationToken ct)
    {
        if (!streams.ShowProgress)
        {
            return await Uploader.UploadAsync(uploads, path, prefix, accepts, null, ct).ConfigureAwait(false);
        }

        return await streams.ErrorConsole().Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async p =>
            {
                var task = p.AddTask("uploading");
                return await Uploader.UploadAsync(uploads, path, prefix, accepts, (done, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                }, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>What became of the rows: kept per split, and what was quarantined, why, and where the report is.</summary>
    private static async Task<string> DatasetLineAsync(StorageConnection storage, string dataset, string version, CancellationToken ct)
    {
        var m = await new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance).ReadManifestAsync(dataset, version, ct).ConfigureAwait(false);
        var splits = string.Join(", ", m.Splits.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value.Documents:N0}")));
        var quarantine = m.Quarantine.Items == 0
            ? "nothing quarantined"
            : $"{m.Quarantine.Items} quarantined ({string.Join(", ", m.Quarantine.ByReason.Select(kv => $"{kv.Key} {kv.Value}"))}; report: {StorageLayout.DatasetsContainer}/{m.Quarantine.Report})";
        return string.Create(CultureInfo.InvariantCulture, $"dataset {dataset} version {version}: {m.Counts.Documents:N0} documents ({splits}), {m.Labels?.Count ?? 0} labels, {m.Counts.Duplicates:N0} duplicates removed, {quarantine}");
    }

    private void Say(string message) => streams.Error.WriteLine($"bertfn: {message}");
}
