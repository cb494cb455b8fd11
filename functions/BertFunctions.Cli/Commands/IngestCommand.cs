using System.ComponentModel;
using System.Globalization;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn ingest SOURCE --dataset NAME</c>: uploads a local file or folder (unchanged files are skipped) and turns
/// it into an immutable dataset version of training shards; prints the version, counts and quarantine summary.
/// </summary>
public sealed class IngestCommand(ConsoleStreams streams) : AsyncCommand<IngestCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[SOURCE]")]
        [Description("Local file or folder to upload and ingest. Omit with --uploaded to ingest what is already in blob storage.")]
        public string? Source { get; init; }

        [CommandOption("-d|--dataset <NAME>")]
        [Description("Dataset name: 2-63 characters of a-z, 0-9 and hyphens.")]
        public string Dataset { get; init; } = "";

        [CommandOption("--labeled")]
        [Description("Labeled data for classification (uploads/labeled/NAME); otherwise unlabeled text for pretraining (uploads/raw/NAME).")]
        public bool Labeled { get; init; }

        [CommandOption("--uploaded")]
        [Description("Ingest the files already under the dataset's upload prefix; upload nothing.")]
        public bool Uploaded { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("auto (default: by extension, emails sniffed), text, jsonl, csv, tsv, email or parquet.")]
        public string Format { get; init; } = "auto";

        [CommandOption("--blank-line-documents")]
        [Description("Plain text: documents are separated by blank lines (default: one document per file).")]
        public bool BlankLineDocuments { get; init; }

        [CommandOption("--text-field <NAME>")]
        [Description("JSONL field or CSV/TSV/Parquet column with the text (default: text).")]
        public string TextField { get; init; } = "text";

        [CommandOption("--label-field <NAME>")]
        [Description("JSONL field or CSV/TSV/Parquet column with the label (default: label).")]
        public string LabelField { get; init; } = "label";

        [CommandOption("--label-from-folder")]
        [Description("The label is the name of the folder that holds each file.")]
        public bool LabelFromFolder { get; init; }

        [CommandOption("--label-map <RULES>")]
        [Description("Comma-separated GLOB=LABEL rules applied to labels, e.g. 'easy-ham-*=ham,hard-ham-*=ham,spam-*=spam'.")]
        public string? LabelMap { get; init; }

        [CommandOption("--include <GLOBS>")]
        [Description("Comma-separated file-name globs to ingest (default: *).")]
        public string Include { get; init; } = "*";

        [CommandOption("--max-seq-len <N>")]
        [Description("Tokens per example including [[CLS]] and [[SEP]] (default 128, at most 512).")]
        public int MaxSeqLen { get; init; } = 128;

        [CommandOption("--dupe-factor <N>")]
        [Description("Pretraining: statically masked copies of each sequence (default 5; 1 when the trainer re-masks dynamically).")]
        public int DupeFactor { get; init; } = 5;

        [CommandOption("--mask-probability <P>")]
        [Description("Pretraining: fraction of tokens selected for masking (default 0.15).")]
        public double MaskProbability { get; init; } = 0.15;

        [CommandOption("--whole-word-masking")]
        [Description("Pretraining: mask all pieces of a word together.")]
        public bool WholeWordMasking { get; init; }

        [CommandOption("--truncation <POLICY>")]
        [Description("Classification: head or head-tail (default; keeps the first quarter and the last three quarters of the budget).")]
        public string Truncation { get; init; } = "head-tail";

        [CommandOption("--vocab <REF>")]
        [Description("'minilm' (bert-base-uncased, default) or a vocab.txt blob in the datasets container.")]
        public string Vocab { get; init; } = IngestionRequest.BundledVocabulary;

        [CommandOption("--split <RATIOS>")]
        [Description("Train, validation and test fractions (default 0.8,0.1,0.1).")]
        public string Split { get; init; } = "0.8,0.1,0.1";

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default: Azurite under ~/.bertfn), an https:// account URL (Entra ID) or a connection string. Default from BERTFN_STORAGE.")]
        public string? Storage { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Dataset))
            {
                return ValidationResult.Error("--dataset is required");
            }

            if (Source is null != Uploaded)
            {
                return ValidationResult.Error(Uploaded ? "give SOURCE or --uploaded, not both" : "give a SOURCE to upload, or --uploaded");
            }

            return MaxSeqLen is < 8 or > 512 ? ValidationResult.Error("--max-seq-len must be between 8 and 512")
                : DupeFactor is < 1 or > 100 ? ValidationResult.Error("--dupe-factor must be between 1 and 100")
                : MaskProbability is <= 0 or >= 1 ? ValidationResult.Error("--mask-probability must be between 0 and 1")
                : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var request = ToRequest(settings);
        var console = streams.ErrorConsole();
        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "ingest", streams.Error, cancellationToken).ConfigureAwait(false);
        var steps = new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance);
        await steps.EnsureContainersAsync(cancellationToken).ConfigureAwait(false);

        if (settings.Source is { } source)
        {
            var reader = new DocumentReader(request.Reading);
            var uploads = storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
            var outcome = await WithProgressAsync(console, "uploading", (report) =>
                Uploader.UploadAsync(uploads, source, request.UploadPrefix, reader.Accepts, (done, total) => report(done, total), cancellationToken)).ConfigureAwait(false);
            streams.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uploaded {outcome.Uploaded} files ({outcome.Bytes / 1e6:N1} MB), {outcome.Unchanged} unchanged, to {storage.Description}"));
        }

        var runner = new LocalIngestionRunner(steps, TimeProvider.System);
        IngestionResult result;
        try
        {
            result = await WithProgressAsync(console, "ingesting", report =>
                runner.RunAsync(request, new Progress<IngestionProgress>(p => report(p.Done, p.Total, p.Phase)), cancellationToken)).ConfigureAwait(false);
        }
        catch (IngestionException e)
        {
            throw new CliException(e.Message);
        }

        WriteSummary(result);
        return ExitCodes.Ok;
    }

    private void WriteSummary(IngestionResult result)
    {
        var m = result.Manifest;
        var output = new StreamWriter(streams.Output) { AutoFlush = true };
        var console = ConsoleStreams.OutputConsole(output);
        // Plain lines straight to the stream (no wrapping at 80 columns, easy to parse); Spectre only for the table.
        output.WriteLine($"dataset {m.Dataset} version {m.Version}{(result.Reused ? " (unchanged inputs: existing version)" : string.Empty)}");
        var table = new Table().AddColumns("", "documents", "examples", "tokens", "[[UNK]]");
        foreach (var (split, s) in m.Splits)
        {
            table.AddRow(split, s.Documents.ToString("N0", CultureInfo.InvariantCulture), s.Examples.ToString("N0", CultureInfo.InvariantCulture), s.Tokens.ToString("N0", CultureInfo.InvariantCulture), s.UnkRate.ToString("P2", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var c = m.Counts;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"files {c.Files}, {c.Bytes / 1e6:N1} MB read; documents {c.DocumentsRead:N0} read, {c.Duplicates:N0} duplicates removed, {c.Documents:N0} kept; invalid bytes replaced {c.InvalidBytesReplaced:N0}"));
        if (m.Labels is { } labels)
        {
            output.WriteLine("labels: " + string.Join(", ", labels.Select(l => $"{l} {c.DocumentsByLabel.GetValueOrDefault(l)}")));
        }

        output.WriteLine(m.Quarantine.Items == 0
            ? "quarantine: nothing"
            : $"quarantine: {m.Quarantine.Items} items ({string.Join(", ", m.Quarantine.ByReason.Select(kv => $"{kv.Key} {kv.Value}"))}); report: {StorageLayout.DatasetsContainer}/{m.Quarantine.Report}");
        output.WriteLine($"manifest: {StorageLayout.DatasetsContainer}/{StorageLayout.Manifest(m.Dataset, m.Version)}");
    }

    private async Task<T> WithProgressAsync<T>(IAnsiConsole console, string description, Func<Action<int, int, string?>, Task<T>> work)
    {
        if (!streams.ShowProgress)
        {
            return await work((_, _, _) => { }).ConfigureAwait(false);
        }

        T result = default!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(description);
                result = await work((done, total, phase) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                    if (phase is not null)
                    {
                        task.Description = Markup.Escape(phase);
                    }
                }).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }

    private Task<T> WithProgressAsync<T>(IAnsiConsole console, string description, Func<Action<int, int>, Task<T>> work) =>
        WithProgressAsync(console, description, (Action<int, int, string?> report) => work((d, t) => report(d, t, null)));

    /// <summary>The <c>--format</c> option's names (those of the settings JSON, and short forms people type).</summary>
    internal static InputFormat ParseFormat(string format) => format.ToLowerInvariant() switch
    {
        "auto" => InputFormat.Auto,
        "text" or "txt" => InputFormat.Text,
        "jsonl" or "jsonlines" or "json_lines" => InputFormat.JsonLines,
        "csv" => InputFormat.Csv,
        "tsv" => InputFormat.Tsv,
        "email" or "eml" => InputFormat.Email,
        "parquet" => InputFormat.Parquet,
        _ => throw new CliException($"--format '{format}' is not one of auto, text, jsonl, csv, tsv, email, parquet", ExitCodes.Usage),
    };

    internal static IngestionRequest ToRequest(Settings settings)
    {
        var format = ParseFormat(settings.Format);
        var truncation = settings.Truncation.ToLowerInvariant() switch
        {
            "head" => TruncationPolicy.Head,
            "head-tail" or "headtail" => TruncationPolicy.HeadTail,
            _ => throw new CliException($"--truncation '{settings.Truncation}' is not one of head, head-tail", ExitCodes.Usage),
        };
        var ratios = settings.Split.Split(',').Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
        if (ratios.Length != 3 || ratios.Any(double.IsNaN))
        {
            throw new CliException($"--split '{settings.Split}' must be three fractions like 0.8,0.1,0.1", ExitCodes.Usage);
        }

        var labelMap = (settings.LabelMap ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(rule => rule.Split('=', 2) is [var pattern, var label] && pattern.Length > 0 && label.Length > 0
                ? new LabelRule(pattern, label)
                : throw new CliException($"--label-map rule '{rule}' must look like GLOB=LABEL", ExitCodes.Usage))
            .ToList();
        var request = new IngestionRequest
        {
            Dataset = settings.Dataset,
            Kind = settings.Labeled ? DatasetKind.Classification : DatasetKind.Pretraining,
            Reading = new IngestionOptions
            {
                Format = format,
                TextMode = settings.BlankLineDocuments ? TextDocumentMode.BlankLineSeparated : TextDocumentMode.FilePerDocument,
                TextField = settings.TextField,
                LabelField = settings.LabelField,
                LabelFromFolder = settings.LabelFromFolder,
                LabelMap = labelMap,
                Labeled = settings.Labeled,
                Include = settings.Include.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            },
            Pretraining = new PretrainingOptions
            {
                MaxSeqLen = settings.MaxSeqLen,
                DupeFactor = settings.DupeFactor,
                Masking = new MaskingOptions { MaskedLmProbability = settings.MaskProbability, WholeWordMasking = settings.WholeWordMasking },
            },
            Classification = new ClassificationOptions { MaxSeqLen = settings.MaxSeqLen, Truncation = truncation },
            Split = new SplitRatios(ratios[0], ratios[1], ratios[2]),
            Vocabulary = settings.Vocab,
        };
        try
        {
            request.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        return request;
    }
}
