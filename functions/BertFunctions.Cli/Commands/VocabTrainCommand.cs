using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Pipeline.Vocabulary;
using BertFunctions.Tokenization;
using BertFunctions.Tokenization.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn vocab train [SOURCE] --dataset NAME</c>: trains a WordPiece vocabulary on the dataset's unlabeled text
/// (uploading SOURCE first when given), for pretraining from scratch; prints the vocab blob to pass to ingest.
/// </summary>
public sealed class VocabTrainCommand(ConsoleStreams streams) : AsyncCommand<VocabTrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[SOURCE]")]
        [Description("Local file or folder of unlabeled text to upload first (to uploads/raw/NAME). Omit to use what is uploaded.")]
        public string? Source { get; init; }

        [CommandOption("-d|--dataset <NAME>")]
        [Description("Dataset name.")]
        public string Dataset { get; init; } = "";

        [CommandOption("--size <N>")]
        [Description("Vocabulary size including the 5 special tokens and the alphabet (default 30522).")]
        public int Size { get; init; } = 30_522;

        [CommandOption("--min-frequency <N>")]
        [Description("Pairs seen fewer times are not merged (default 2).")]
        public int MinFrequency { get; init; } = 2;

        [CommandOption("--cased")]
        [Description("Keep case and accents (default: lower-case and strip accents, like bert-base-uncased).")]
        public bool Cased { get; init; }

        [CommandOption("--include <GLOBS>")]
        [Description("Comma-separated file-name globs (default: *).")]
        public string Include { get; init; } = "*";

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrEmpty(Dataset) ? Spectre.Console.ValidationResult.Error("--dataset is required")
            : Size is < 100 or > 1_000_000 ? Spectre.Console.ValidationResult.Error("--size must be between 100 and 1,000,000")
            : MinFrequency < 1 ? Spectre.Console.ValidationResult.Error("--min-frequency must be at least 1")
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
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        var reading = new IngestionOptions { Include = settings.Include.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
        var options = new WordPieceTrainerOptions
        {
            VocabularySize = settings.Size,
            MinFrequency = settings.MinFrequency,
            Tokenizer = new BertTokenizerOptions { LowerCase = !settings.Cased },
        };
        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "vocab train", streams.Error, cancellationToken).ConfigureAwait(false);
        await new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance).EnsureContainersAsync(cancellationToken).ConfigureAwait(false);
        if (settings.Source is { } source)
        {
            var uploads = storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
            var outcome = await Uploader.UploadAsync(uploads, source, StorageLayout.RawPrefix(settings.Dataset), new DocumentReader(reading).Accepts, null, cancellationToken).ConfigureAwait(false);
            await streams.Error.WriteLineAsync($"uploaded {outcome.Uploaded} files, {outcome.Unchanged} unchanged, to {storage.Description}").ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        VocabularyResult result;
        try
        {
            result = await new VocabularyTraining(storage.Blobs).TrainAsync(settings.Dataset, reading, options, cancellationToken).ConfigureAwait(false);
        }
        catch (IngestionException e)
        {
            throw new CliException(e.Message, ExitCodes.NoInput);
        }

        await using var output = new StreamWriter(streams.Output) { AutoFlush = true };
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"vocabulary of {result.Size:N0} tokens trained on {result.Words:N0} words ({result.DistinctWords:N0} distinct) in {clock.Elapsed.TotalSeconds:N1} s")).ConfigureAwait(false);
        await output.WriteLineAsync($"vocab: {StorageLayout.DatasetsContainer}/{result.Blob}").ConfigureAwait(false);
        await output.WriteLineAsync($"use it: bertfn ingest --uploaded --dataset {settings.Dataset} --vocab {result.Blob}{(settings.Cased ? " (cased)" : string.Empty)}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
