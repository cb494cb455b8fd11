using BertFunctions.Cli.Io;
using BertFunctions.Tokenization;

namespace BertFunctions.Cli.Models;

/// <summary>Turns a <c>--model</c> value into a <see cref="EncoderModel"/>: <c>minilm</c> or an HF directory.</summary>
public static class ModelCatalog
{
    public const string DefaultModel = "minilm";

    public static EncoderModel Resolve(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (string.Equals(reference, DefaultModel, StringComparison.OrdinalIgnoreCase))
        {
            return new BundledMiniLmModel();
        }

        if (File.Exists(reference))
        {
            throw new CliException($"model '{reference}' is a file; give 'minilm' or an HF model directory (config.json, vocab.txt, model.safetensors)", ExitCodes.NoInput);
        }

        return Directory.Exists(reference)
            ? new HfDirectoryModel(reference)
            : throw new CliException($"model '{reference}' not found: give 'minilm' or the path of an HF model directory", ExitCodes.NoInput);
    }

    /// <summary>A tokenizer from a bare vocab.txt.</summary>
    public static BertWordPieceTokenizer LoadTokenizerFromVocab(string vocabPath, bool lowerCase)
    {
        if (!File.Exists(vocabPath))
        {
            throw new CliException($"vocab file '{vocabPath}' not found", ExitCodes.NoInput);
        }

        return BertWordPieceTokenizer.FromVocabFile(vocabPath, new BertTokenizerOptions { LowerCase = lowerCase });
    }
}
