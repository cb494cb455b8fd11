using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Cli.Demo;
using BertFunctions.Cli.Hosting;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Corpora;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using BertFunctions.Orchestration.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn compare</c>: "which strategy is better for my data?", measured. Starts the local host, uploads the Spam
/// Assassin emails (as the demo does; optionally the Brown corpus as general unlabeled text), posts an experiment
/// (every strategy × label budget × seed on the same splits), follows it, prints the comparison and saves the report
/// (HTML and PNG plots) under <c>.bertfn/reports/{id}/</c>. Idempotent: the same options on the same uploads are
/// the same experiment, and a finished one is only reported again.
/// </summary>
public sealed class CompareCommand(ConsoleStreams streams) : AsyncCommand<CompareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--dataset <NAME>")]
        [Description("The dataset (default spam-demo: the demo's uploads, so nothing is uploaded twice).")]
        public string Dataset { get; init; } = "spam-demo";

        [CommandOption("--strategies <LIST>")]
        [Description("Comma-separated: finetune, dapt, tapt, dapt+tapt, scratch, embeddings, baseline (default finetune, dapt, scratch, embeddings, baseline; tapt is MLM on the task's own texts, embeddings the frozen-encoder floor, baseline TF-IDF with logistic regression).")]
        public string Strategies { get; init; } = "finetune,dapt,scratch,embeddings,baseline";

        [CommandOption("--budgets <LIST>")]
        [Description("Comma-separated label budgets; 'all' for the whole training split (default 50,200,1000).")]
        public string Budgets { get; init; } = "50,200,1000";

        [CommandOption("--seeds <LIST>")]
        [Description("Comma-separated seeds (default 42,1,7).")]
        public string Seeds { get; init; } = "42,1,7";

        [CommandOption("--steps <N>")]
        [Description("Fine-tuning steps of batch 32 per arm, the same for every budget. Default: the budget planner's (2 epochs of the arm's labels, at least 100 steps, validation every quarter, the best kept).")]
        public int? Steps { get; init; }

        [CommandOption("--strip-list-footers")]
        [Description("Remove the mailing-list footers from the emails (about half the ham and a fifth of the spam end with one): shows how much of a score is the footer.")]
        public bool StripListFooters { get; init; }

        [CommandOption("--pretrain-steps <N>")]
        [Description("MLM steps of batch 32 for domain-adaptive and from-scratch pretraining (default 150; with --budget, the plan's).")]
        public int? PretrainSteps { get; init; }

        [CommandOption("--budget <BUDGET>")]
        [Description("Compute budget of the whole experiment: a time on the trainer (2h, 90m) or a token count (150M tokens). Fine-tuning gets the steps its label budgets need, pretraining what is left, and the model from scratch is sized to its share; the plan is printed and goes in the report.")]
        public string? Budget { get; init; }

        [CommandOption("--general-text")]
        [Description("Upload the Brown corpus as the dataset's unlabeled text (a general corpus instead of the emails' own bodies).")]
        public bool GeneralText { get; init; }

        [CommandOption("--promote")]
        [Description("Offer the winner at the largest budget for promotion (it must beat the live model on the same validation split).")]
        public bool Promote { get; init; }

        [CommandOption("--timeout <MINUTES>")]
        [Description("Give up after this long (default 240).")]
        public int TimeoutMinutes { get; init; } = 240;

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default: Azurite under ~/.bertfn), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        public override ValidationResult Validate() =>
            Steps is not null and (< 1 or > 100_000) ? ValidationResult.Error("--steps must be 1-100000")
            : PretrainSteps is < 1 or > 1_000_000 ? ValidationResult.Error("--pretrain-steps must be 1-1000000")
            : PretrainSteps is not null && Budget is not null ? ValidationResult.Error("--pretrain-steps and --budget exclude each other: the budget plans the pretraining steps")
            : TimeoutMinutes < 1 ? ValidationResult.Error("--timeout must be at least 1 minute")
            : base.Validate();
    }

    /// <summary>From scratch at a size 2 CPU cores can pretrain in minutes: 4 layers, hidden 256 (MiniLM-L6 is 6 × 384).</summary>
    public static readonly JsonElement SmallScratchConfig = JsonDocument.Parse("""
        {"model_type":"bert","hidden_size":256,"num_hidden_layers":4,"num_attention_heads":4,"intermediate_size":1024,
         "hidden_act":"gelu","hidden_dropout_prob":0.1,"attention_probs_dropout_prob":0.1,"max_position_embeddings":512,
         "type_vocab_size":2,"initializer_range":0.02,"layer_norm_eps":1e-12,"pad_token_id":0}
        """).RootElement.Clone();

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var request = Request(settings);
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(settings.TimeoutMinutes));
        var ct = timeout.Token;

        await using var session = await LocalPipelineSession.StartAsync(settings.Storage, "compare", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var (storage, http) = (session.Storage, session.Http);
        Say(session.Description);

        // The data, as a user uploads it. The dataset's settings go first, as in the demo: the upload also starts the
        // dataset's ordinary training run, and that run is then a short one.
        var uploads = storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        await DemoCorpus.UploadIfAbsentAsync(uploads, StorageLayout.DatasetSettings(settings.Dataset), DemoCommand.SettingsJson(settings.Dataset, 100), ct).ConfigureAwait(false);
        var corpus = DemoCorpus.Load(heldOutPerLabel: 4);
        var added = await corpus.UploadAsync(storage.Blobs, settings.Dataset, new Progress<int>(), ct).ConfigureAwait(false);
        var general = settings.GeneralText ? await UploadBrownAsync(uploads, settings.Dataset, ct).ConfigureAwait(false) : 0;
        Say($"uploads: {added:N0} new of {corpus.Uploaded.Count:N0} emails" + (settings.GeneralText ? $", {general} new Brown corpus files as general text" : ", the emails' bodies as domain text"));

        var accepted = await StartAsync(http, request, ct).ConfigureAwait(false);
        foreach (var warning in accepted.Warnings ?? [])
        {
            Say("warning: " + warning);
        }

        var arms = request.Strategies.Count * request.Budgets.Count * request.Seeds.Count;
        Say($"experiment {accepted.Id}{(accepted.Existing ? " (already started)" : "")}: {arms} arms ({string.Join(", ", request.Strategies).ToLowerInvariant()} x budgets {settings.Budgets} x seeds {settings.Seeds}), {(settings.Steps is { } steps ? $"{steps} steps each" : $"steps from the budget planner (at least {FineTuningPlan.MinSteps} per budget arm)")}{(settings.Budget is { } budget ? $", compute budget {budget}" : "")}");
        var status = await new StatusFollower(streams, http).FollowAsync($"api/experiments/{accepted.Id}", $"experiment {accepted.Id}", RunViews.Experiment, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        if (status.Result is not { } result)
        {
            throw new CliException($"experiment {accepted.Id} ended {status.RuntimeStatus}: {status.Error ?? status.Message}", ExitCodes.Internal);
        }

        WriteResult(result);
        var folder = await SaveReportAsync(storage.Blobs, result.Id, ct).ConfigureAwait(false);
        Say($"report: {Path.Combine(folder, ExperimentReportWriter.Page)} (served at {http.BaseAddress}api/experiments/{result.Id}/report while a host runs)");
        Say(string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed:hh\\:mm\\:ss}"));
        return ExitCodes.Ok;
    }

    /// <summary>The experiment the options describe (strict, like the API: a bad list is a one-line error).</summary>
    internal static ExperimentRequest Request(Settings settings)
    {
        try
        {
            return new ExperimentRequest
            {
                Dataset = settings.Dataset,
                Strategies = [.. List(settings.Strategies, "--strategies").Select(s => TrainingStrategyNames.TryParse(s, out var strategy)
                    ? strategy
                    : throw new CliException($"--strategies: '{s}' is not finetune, dapt, tapt, dapt+tapt, scratch, embeddings or baseline", ExitCodes.Usage))],
                Budgets = [.. List(settings.Budgets, "--budgets").Select(b => b == "all" ? 0 : Number(b, "--budgets"))],
                Seeds = [.. List(settings.Seeds, "--seeds").Select(s => Number(s, "--seeds"))],
                Reading = SpamAssassinReading.Options with { StripListFooters = settings.StripListFooters },
                FineTuning = settings.Steps is { } steps
                    ? new Hyperparameters { MaxSteps = steps, BatchSize = 32, LearningRate = 5e-5, EvalEverySteps = steps, CheckpointEverySteps = steps }
                    : new Hyperparameters { Epochs = 2, BatchSize = 32, LearningRate = 5e-5, EvalEverySteps = 100, CheckpointEverySteps = 100 },
                Pretraining = settings.Budget is not null
                    ? new Hyperparameters { BatchSize = 32, LearningRate = 1e-4 }
                    : new Hyperparameters { MaxSteps = PretrainSteps(settings), BatchSize = 32, LearningRate = 1e-4, EvalEverySteps = PretrainSteps(settings), CheckpointEverySteps = PretrainSteps(settings) },
                ScratchConfig = settings.Budget is null ? SmallScratchConfig : null, // with a budget, the plan sizes it
                ComputeBudget = settings.Budget,
                VocabularySize = 8_000,
                Promote = settings.Promote,
            }.Validate();
        }
        catch (RunRequestException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    private static int PretrainSteps(Settings settings) => settings.PretrainSteps ?? 150;

    private static List<string> List(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).ToList();
        return items.Count > 0 ? items : throw new CliException($"{option} is empty", ExitCodes.Usage);
    }

    private static int Number(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new CliException($"{option}: '{text}' is not a whole number", ExitCodes.Usage);

    private static async Task<int> UploadBrownAsync(BlobContainerClient uploads, string dataset, CancellationToken ct)
    {
        var added = 0;
        foreach (var document in BrownCorpus.ReadAll(CorpusLocator.Brown()))
        {
            if (await DemoCorpus.UploadIfAbsentAsync(uploads, $"raw/{dataset}/brown/{document.Name}.txt", document.Text, ct).ConfigureAwait(false))
            {
                added++;
            }
        }

        return added;
    }

    private static async Task<RunAccepted> StartAsync(HttpClient http, ExperimentRequest request, CancellationToken ct)
    {
        using var content = new StringContent(request.ToJson(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("api/experiments", UriKind.Relative), content, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"POST /api/experiments answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}", ExitCodes.BadInput);
        }

        return (await response.Content.ReadFromJsonAsync<RunAccepted>(TrainingApi.JsonOptions, ct).ConfigureAwait(false))!;
    }

    private void WriteResult(ExperimentResult result)
    {
        var output = ConsoleStreams.OutputConsole(new StreamWriter(streams.Output) { AutoFlush = true });
        var table = new Table().AddColumn("strategy").AddColumn(new TableColumn("budget").RightAligned()).AddColumn(new TableColumn("seeds").RightAligned())
            .AddColumn(new TableColumn("validation macro-F1").RightAligned()).AddColumn(new TableColumn("test accuracy").RightAligned()).AddColumn(new TableColumn("test macro-F1").RightAligned())
            .AddColumn(new TableColumn("fine-tune s").RightAligned()).AddColumn(new TableColumn("pretrain s").RightAligned());
        foreach (var s in result.Summaries)
        {
            table.AddRow(
                TrainingStrategyNames.Name(s.Strategy),
                s.Budget == 0 ? "all" : s.Budget.ToString(CultureInfo.InvariantCulture),
                s.Seeds.ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{s.ValidationMacroF1Mean:F4} ± {s.ValidationMacroF1Std:F4}"),
                string.Create(CultureInfo.InvariantCulture, $"{s.AccuracyMean:F4} ± {s.AccuracyStd:F4}"),
                string.Create(CultureInfo.InvariantCulture, $"{s.MacroF1Mean:F4} ± {s.MacroF1Std:F4}"),
                s.FineTuneSecondsMean.ToString("F0", CultureInfo.InvariantCulture),
                s.PretrainingSeconds.ToString("F0", CultureInfo.InvariantCulture));
        }

        output.Write(table);
        foreach (var note in result.Plan?.Notes ?? [])
        {
            output.WriteLine($"plan: {note}");
        }

        output.WriteLine($"recommendation: {result.Recommendation}");
        if (result.Promotion is { } promotion)
        {
            output.WriteLine($"promotion of {promotion.Candidate}: {(promotion.Promoted ? "promoted" : "not promoted")} ({promotion.Reason})");
        }
    }

    /// <summary>Copies the stored report (page and plots) to <c>.bertfn/reports/{id}/</c>.</summary>
    private static async Task<string> SaveReportAsync(BlobServiceClient blobs, string id, CancellationToken ct)
    {
        var folder = Path.Combine(CliHome.Path, "reports", id);
        Directory.CreateDirectory(folder);
        var runs = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        foreach (var file in ExperimentPlots.Files.Append(ExperimentReportWriter.Page))
        {
            var blob = runs.GetBlobClient(StorageLayout.ExperimentReport(id, file));
            if (await blob.ExistsAsync(ct).ConfigureAwait(false))
            {
                await blob.DownloadToAsync(Path.Combine(folder, file), ct).ConfigureAwait(false);
            }
        }

        return folder;
    }

    private void Say(string message) => streams.Error.WriteLine($"bertfn: {message}");
}
