using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using BertFunctions.Cli.Demo;
using BertFunctions.Cli.Hosting;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn demo</c>: the main job, locally, on the embedded default. Starts the local host (Azurite, the in-process
/// Durable engine, the trainer worker), uploads the Spam Assassin corpus to Blob Storage as a user would, and lets
/// the upload-driven pipeline do the rest: ingest, fine-tune the bundled MiniLM, evaluate, promote. Then it classifies
/// emails it held back from the upload through the HTTP API. Idempotent: a second demo uploads nothing new, finds the
/// run of these uploads done, and classifies again.
/// </summary>
public sealed class DemoCommand(ConsoleStreams streams) : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--dataset <NAME>")]
        [Description("The dataset (and model) name (default spam-demo).")]
        public string Dataset { get; init; } = "spam-demo";

        [CommandOption("--steps <N>")]
        [Description("Fine-tuning steps of batch 32 (default 100: 3,200 of the 4,718 training emails, to finish on 2 cores in minutes).")]
        public int Steps { get; init; } = 100;

        [CommandOption("--held-out <N>")]
        [Description("Emails per label kept out of the upload and classified at the end (default 4).")]
        public int HeldOut { get; init; } = 4;

        [CommandOption("--timeout <MINUTES>")]
        [Description("Give up after this long (default 30).")]
        public int TimeoutMinutes { get; init; } = 30;

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default: Azurite under ~/.bertfn), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        public override ValidationResult Validate() =>
            Steps is < 1 or > 100_000 ? ValidationResult.Error("--steps must be 1-100000")
            : HeldOut is < 1 or > 100 ? ValidationResult.Error("--held-out must be 1-100")
            : TimeoutMinutes < 1 ? ValidationResult.Error("--timeout must be at least 1 minute")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        BlobNames.Dataset(settings.Dataset);
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(settings.TimeoutMinutes));
        var ct = timeout.Token;
        var console = streams.ErrorConsole();

        await using var session = await LocalPipelineSession.StartAsync(settings.Storage, "demo", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var (storage, http) = (session.Storage, session.Http);
        Say(console, session.Description);

        // 1. Upload, as a user would: the emails, and the dataset's settings (how to label, how long to train).
        var corpus = DemoCorpus.Load(settings.HeldOut);
        // The settings first: a run the watcher starts while the emails are still arriving must already use them.
        var uploads = storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        await DemoCorpus.UploadIfAbsentAsync(uploads, StorageLayout.DatasetSettings(settings.Dataset), SettingsJson(settings.Dataset, settings.Steps), ct).ConfigureAwait(false);
        var added = await UploadAsync(console, storage, corpus, settings.Dataset, ct).ConfigureAwait(false);
        Say(console, $"uploaded {added:N0} new of {corpus.Uploaded.Count:N0} emails to uploads/labeled/{settings.Dataset}/ ({corpus.HeldOut.Count} held out); " +
            string.Create(CultureInfo.InvariantCulture, $"subsample: {settings.Steps} fine-tuning steps x 32 = {settings.Steps * 32:N0} examples (the full recipe, 2 epochs, is in docs/results.md)"));

        // 2. The upload watcher starts the run; its id derives from the uploads and the settings, so it is known now.
        var summary = await new UploadInspector(storage.Blobs).InspectAsync(settings.Dataset, ct).ConfigureAwait(false);
        var request = UploadInspector.RequestFor(settings.Dataset, summary);
        var runId = RunIds.Run(settings.Dataset, request.Strategy, summary.Fingerprint, request.Hash());
        var status = await new StatusFollower(streams, http).FollowAsync($"api/training/{runId}", $"run {runId}", RunViews.Run, TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        if (status.RuntimeStatus is not ("Completed" or RunStates.Completed) || status.Outcome is not { State: RunStates.Completed } outcome)
        {
            throw new CliException($"run {runId} ended {status.RuntimeStatus}: {status.Error ?? status.Outcome?.Reason ?? status.Message}", ExitCodes.Internal);
        }

        WriteOutcome(runId, outcome);

        // 3. Classify the held-out emails through the HTTP API, with the live model.
        await ClassifyHeldOutAsync(http, settings.Dataset, corpus, ct).ConfigureAwait(false);
        Say(console, string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed:mm\\:ss}"));
        return ExitCodes.Ok;
    }

    /// <summary>The dataset's settings blob: how to read and label the emails, and how long to fine-tune.</summary>
    internal static string SettingsJson(string dataset, int steps) => new TrainingRunRequest
    {
        Dataset = dataset,
        Reading = SpamAssassinReading.Options,
        FineTuning = new Hyperparameters { MaxSteps = steps, BatchSize = 32, LearningRate = 5e-5, EvalEverySteps = steps, CheckpointEverySteps = steps },
    }.ToJson();

    private async Task<int> UploadAsync(IAnsiConsole console, StorageConnection storage, DemoCorpus corpus, string dataset, CancellationToken ct)
    {
        if (!streams.ShowProgress)
        {
            return await corpus.UploadAsync(storage.Blobs, dataset, new Progress<int>(), ct).ConfigureAwait(false);
        }

        return await console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async p =>
            {
                var task = p.AddTask("uploading emails", maxValue: corpus.Uploaded.Count);
                return await corpus.UploadAsync(storage.Blobs, dataset, new Progress<int>(n => task.Value = n), ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private void WriteOutcome(string runId, RunOutcome outcome) =>
        RunOutcomeTable.Write(ConsoleStreams.OutputConsole(new StreamWriter(streams.Output) { AutoFlush = true }), runId, outcome);

    private async Task ClassifyHeldOutAsync(HttpClient http, string model, DemoCorpus corpus, CancellationToken ct)
    {
        var output = ConsoleStreams.OutputConsole(new StreamWriter(streams.Output) { AutoFlush = true });
        var texts = await corpus.HeldOutTextsAsync(ct).ConfigureAwait(false);
        using var response = await http.PostAsJsonAsync(new Uri("api/classify", UriKind.Relative), new { texts, model }, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"POST /api/classify answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}", ExitCodes.Internal);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        var table = new Table().AddColumn("held-out email").AddColumn("truth").AddColumn("predicted").AddColumn(new TableColumn("score").RightAligned());
        var correct = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var email = corpus.HeldOut[i];
            var label = results[i].GetProperty("label").GetString()!;
            correct += label == email.Label ? 1 : 0;
            table.AddRow(Markup.Escape($"{email.Group}/{email.FileName[..Math.Min(12, email.FileName.Length)]}"), email.Label, label == email.Label ? label : $"[red]{label}[/]", results[i].GetProperty("score").GetDouble().ToString("F3", CultureInfo.InvariantCulture));
        }

        output.Write(table);
        output.WriteLine($"classified {results.Count} emails it never saw through POST /api/classify ({body.GetProperty("model").GetString()} {body.GetProperty("version").GetString()}): {correct} of {results.Count} right");
    }

    private void Say(IAnsiConsole console, string message)
    {
        if (streams.ShowProgress)
        {
            console.MarkupLine($"[grey]bertfn:[/] {Markup.Escape(message)}");
        }
        else
        {
            streams.Error.WriteLine($"bertfn: {message}");
        }
    }
}
