using System.ComponentModel;
using System.Globalization;
using System.Text;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn shards show VERSION --dataset NAME</c>: a few decoded examples of a dataset version, masked positions
/// marked as <c>[MASK→original]</c> (or <c>{random→original}</c>, <c>(kept)</c>), labels by name.
/// </summary>
public sealed class ShardsShowCommand(ConsoleStreams streams) : AsyncCommand<ShardsShowCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<VERSION>")]
        [Description("The dataset version (as printed by ingest), or 'latest' for the newest.")]
        public string Version { get; init; } = "";

        [CommandOption("-d|--dataset <NAME>")]
        [Description("Dataset name.")]
        public string Dataset { get; init; } = "";

        [CommandOption("--split <SPLIT>")]
        [Description("train (default), validation or test.")]
        public string Split { get; init; } = Splits.Train;

        [CommandOption("-n|--count <N>")]
        [Description("Examples to show (default 3).")]
        public int Count { get; init; } = 3;

        [CommandOption("--storage <STORAGE>")]
        [Description("As for ingest (default: local Azurite).")]
        public string? Storage { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrEmpty(Dataset) ? Spectre.Console.ValidationResult.Error("--dataset is required")
            : !Splits.All.Contains(Split) ? Spectre.Console.ValidationResult.Error("--split must be train, validation or test")
            : Count < 1 ? Spectre.Console.ValidationResult.Error("--count must be at least 1")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "shards show", streams.Error, cancellationToken).ConfigureAwait(false);
        var steps = new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance);
        var datasets = storage.Blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);
        var version = settings.Version == "latest" ? (await new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance).LatestVersionAsync(settings.Dataset, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"dataset '{settings.Dataset}' has no versions yet: run bertfn ingest first", ExitCodes.NoInput)) : settings.Version;
        DatasetManifest manifest;
        try
        {
            manifest = await steps.ReadManifestAsync(BlobNames.Dataset(settings.Dataset), BlobNames.Version(version), cancellationToken).ConfigureAwait(false);
        }
        catch (IngestionException e)
        {
            throw new CliException(e.Message, ExitCodes.NoInput);
        }

        var prefix = StorageLayout.VersionPrefix(manifest.Dataset, manifest.Version);
        var vocabulary = (await datasets.GetBlobClient(prefix + "vocab.txt").DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        var tokenizer = BertWordPieceTokenizer.FromVocab(new MemoryStream(vocabulary));
        LabelSet? labels = null;
        if (manifest.Labels is not null)
        {
            labels = LabelSet.Read((await datasets.GetBlobClient(prefix + "labels.json").DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToStream());
        }

        using var output = new StreamWriter(streams.Output, new UTF8Encoding(false)) { AutoFlush = true };
        await output.WriteLineAsync($"dataset {manifest.Dataset} version {manifest.Version} ({manifest.Kind}), split {settings.Split}: {manifest.Splits[settings.Split].Examples:N0} examples in {manifest.Splits[settings.Split].Shards.Count} shards").ConfigureAwait(false);
        var shown = 0;
        foreach (var shard in manifest.Splits[settings.Split].Shards)
        {
            await using var stream = await datasets.GetBlobClient(shard).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var reader = await ShardReader.OpenAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            await foreach (var example in reader.ReadExamplesAsync(cancellationToken).ConfigureAwait(false))
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                var label = example.Label >= 0 && labels is not null ? $" label={labels.LabelOf(example.Label)}" : string.Empty;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"#{shown} ({example.InputIds.Length} tokens, {example.MaskedPositions.Length} masked{label}) {shard[prefix.Length..]}")).ConfigureAwait(false);
                await output.WriteLineAsync(Render(example, tokenizer)).ConfigureAwait(false);
                if (++shown == settings.Count)
                {
                    return ExitCodes.Ok;
                }
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Tokens joined by spaces; a masked position shows what the model sees and what it must predict.</summary>
    internal static string Render(TrainingExample example, BertWordPieceTokenizer tokenizer)
    {
        var masked = new Dictionary<int, int>();
        for (var i = 0; i < example.MaskedPositions.Length; i++)
        {
            masked[example.MaskedPositions[i]] = example.MaskedOriginalIds[i];
        }

        var text = new StringBuilder();
        for (var position = 0; position < example.InputIds.Length; position++)
        {
            var token = tokenizer.IdToToken(example.InputIds[position]) ?? "?";
            if (position > 0)
            {
                text.Append(' ');
            }

            if (masked.TryGetValue(position, out var original))
            {
                var originalToken = tokenizer.IdToToken(original) ?? "?";
                text.Append(example.InputIds[position] == tokenizer.MaskTokenId ? $"[MASK→{originalToken}]"
                    : example.InputIds[position] == original ? $"({originalToken})"
                    : $"{{{token}→{originalToken}}}");
            }
            else
            {
                text.Append(token);
            }
        }

        return text.ToString();
    }
}
