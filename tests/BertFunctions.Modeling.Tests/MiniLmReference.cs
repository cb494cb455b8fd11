using BertFunctions.Corpora;
using BertFunctions.Tokenization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BertFunctions.Modeling.Tests;

/// <summary>Shared, read-only references for the MiniLM tests: the imported model, ONNX Runtime on the original graph, a tokenizer, Brown sentences.</summary>
public sealed class MiniLmReference : IDisposable
{
    public MiniLmReference()
    {
        Model = MiniLmPretrained.LoadBertModel();
        Session = new InferenceSession(MiniLmPretrained.ReadOnnxBytes());
        using var vocabulary = MiniLmPretrained.OpenVocabulary();
        Tokenizer = BertWordPieceTokenizer.FromVocab(vocabulary, new BertTokenizerOptions { LowerCase = MiniLmPretrained.DoLowerCase });
    }

    public BertModel Model { get; }

    public InferenceSession Session { get; }

    private BertWordPieceTokenizer Tokenizer { get; }

    /// <summary>Token ids with [CLS] and [SEP], at most 256, from the project's tokenizer (itself checked against HF's).</summary>
    public long[] Tokenize(string text) => Tokenizer.Encode(text, null, 256).InputIds.Select(id => (long)id).ToArray();

    /// <summary>ORT's last_hidden_state (B, T, C) for a padded batch.</summary>
    public float[] RunOnnx(long[] ids, long[] mask, long[] types, int batch, int length)
    {
        var dims = new[] { batch, length };
        using var results = Session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, dims)),
        ], ["last_hidden_state"]);
        return results[0].AsTensor<float>().ToArray();
    }

    /// <summary>Brown sentences whose token counts (with [CLS]/[SEP]) span 1..256: lengths 3 (one word), ~128, 256 (truncated) included.</summary>
    public List<string> BrownSentences(int count)
    {
        var lines = BrownCorpus.ReadAll(CorpusLocator.Brown())
            .SelectMany(d => d.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        Assert.True(lines.Count > 10_000, $"only {lines.Count} Brown sentences found");
        var random = new Random(20261127);
        var picked = new List<string>
        {
            "",                                                             // [CLS] [SEP] only
            "Yes",                                                          // 1 word
            string.Join(' ', lines.Take(400)),                              // > 256 tokens: truncated to 256
            Paragraph(lines, 1000, 120, 136),                              // ~128 tokens
        };
        picked.AddRange(lines.OrderBy(_ => random.Next()).Take(count - picked.Count));
        return picked;
    }

    /// <summary>Consecutive lines from <paramref name="start"/> whose token count lands in [min, max].</summary>
    private string Paragraph(List<string> lines, int start, int min, int max)
    {
        for (var first = start; first < lines.Count; first++)
        {
            var text = lines[first];
            for (var next = first + 1; Tokenize(text).Length < min && next < lines.Count; next++)
            {
                text += " " + lines[next];
            }

            if (Tokenize(text).Length <= max)
            {
                return text;
            }
        }

        throw new InvalidOperationException($"no paragraph of {min}..{max} tokens");
    }

    public void Dispose()
    {
        Model.Dispose();
        Session.Dispose();
    }
}
