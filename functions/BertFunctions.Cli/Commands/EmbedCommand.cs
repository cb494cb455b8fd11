using System.ComponentModel;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace BertFunctions.Cli.Commands;

/// <summary><c>bertfn embed</c>: JSON lines of text in, <c>{"embedding": [...]}</c> lines out, in input order.</summary>
public sealed class EmbedCommand(ConsoleStreams streams) : AsyncCommand<EmbedCommand.Settings>
{
    /// <summary>Lines read before a chunk is embedded: enough to batch by length, bounded in memory.</summary>
    private const int ChunkSize = 512;

    public sealed class Settings : ModelSettings
    {
        [CommandOption("--max-length <N>")]
        [Description("Truncate each text to N word pieces including [[CLS]] and [[SEP]] (default 256, as sentence-transformers does for MiniLM).")]
        public int MaxLength { get; init; } = SentenceEncoder.DefaultMaxLength;

        [CommandOption("--batch-size <N>")]
        [Description("Texts per forward pass (default 32).")]
        public int BatchSize { get; init; } = 32;

        [CommandOption("--threads <N>")]
        [Description("CPU threads for the encoder (default: all cores).")]
        public int? Threads { get; init; }

        public override ValidationResult Validate() =>
            MaxLength < 2 ? ValidationResult.Error("--max-length must be at least 2")
            : BatchSize < 1 ? ValidationResult.Error("--batch-size must be at least 1")
            : Threads is < 1 ? ValidationResult.Error("--threads must be at least 1")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var reference = ModelCatalog.Resolve(settings.Model);
        var tokenizer = reference.LoadTokenizer();
        torch.set_num_threads(settings.Threads ?? Environment.ProcessorCount);
        using var model = reference.LoadEncoder(torch.CPU);
        var maxPositions = model.Config.MaxPositionEmbeddings;
        if (settings.MaxLength > maxPositions)
        {
            throw new CliException($"--max-length {settings.MaxLength} exceeds the model's max_position_embeddings ({maxPositions})", ExitCodes.Usage);
        }

        var encoder = new SentenceEncoder(tokenizer, model, settings.MaxLength, settings.BatchSize);
        var reader = new JsonLinesReader(streams.Input);
        await using var writer = new JsonLinesWriter(streams.Output);
        var progress = new EmbedProgress(streams);
        var chunk = new List<string>(ChunkSize);

        await foreach (var record in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (record.TextPair is not null)
            {
                throw new CliException($"line {record.LineNumber}: embed takes single texts; \"text_pair\" is not supported");
            }

            chunk.Add(record.Text);
            if (chunk.Count == ChunkSize)
            {
                Flush(encoder, chunk, writer, progress, cancellationToken);
            }
        }

        Flush(encoder, chunk, writer, progress, cancellationToken);
        progress.Finish();
        return ExitCodes.Ok;
    }

    private static void Flush(SentenceEncoder encoder, List<string> chunk, JsonLinesWriter writer, EmbedProgress progress, CancellationToken cancellationToken)
    {
        if (chunk.Count == 0)
        {
            return;
        }

        var embeddings = encoder.Encode(chunk, progress.OnBatch, cancellationToken);
        foreach (var embedding in embeddings)
        {
            writer.WriteLine(json =>
            {
                json.WriteStartArray("embedding");
                foreach (var v in embedding)
                {
                    json.WriteNumberValue(v);
                }

                json.WriteEndArray();
            });
        }

        chunk.Clear();
    }
}
