using System.ComponentModel;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary><c>bertfn tokenize</c>: JSON lines of text in, JSON lines of ids, mask and type ids out.</summary>
public sealed class TokenizeCommand(ConsoleStreams streams) : AsyncCommand<TokenizeCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--vocab <PATH>")]
        [Description("A WordPiece vocab.txt to use instead of a model's (one token per line).")]
        public string? Vocab { get; init; }

        [CommandOption("--cased")]
        [Description("With --vocab: keep case and accents (for cased vocabularies).")]
        public bool Cased { get; init; }

        [CommandOption("--max-length <N>")]
        [Description("Truncate to N tokens including [[CLS]] and [[SEP]]. Default: no truncation.")]
        public int? MaxLength { get; init; }

        public override ValidationResult Validate()
        {
            if (Vocab is not null && ModelWasGiven)
            {
                return ValidationResult.Error("give --model or --vocab, not both");
            }

            if (Cased && Vocab is null)
            {
                return ValidationResult.Error("--cased only applies with --vocab (a model's own tokenizer config decides otherwise)");
            }

            return MaxLength is < 2 ? ValidationResult.Error("--max-length must be at least 2 ([CLS] and [SEP])") : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tokenizer = settings.Vocab is { } vocab
            ? ModelCatalog.LoadTokenizerFromVocab(vocab, lowerCase: !settings.Cased)
            : ModelCatalog.Resolve(settings.Model).LoadTokenizer();

        var reader = new JsonLinesReader(streams.Input);
        await using var writer = new JsonLinesWriter(streams.Output);
        await foreach (var record in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var encoding = tokenizer.Encode(record.Text, record.TextPair, settings.MaxLength);
            writer.WriteLine(json =>
            {
                JsonLinesWriter.WriteInts(json, "input_ids", encoding.InputIds);
                JsonLinesWriter.WriteInts(json, "attention_mask", encoding.AttentionMask);
                JsonLinesWriter.WriteInts(json, "token_type_ids", encoding.TokenTypeIds);
            });
        }

        return ExitCodes.Ok;
    }
}
