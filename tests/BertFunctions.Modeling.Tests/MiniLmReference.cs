using BertFunctions.Corpora;
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
        Tokenizer = new FastBertTokenizer.BertTokenizer();
        using var vocabulary = new StreamReader(MiniLmPretrained.OpenVocabulary());
        Tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: MiniLmPretrained.DoLowerCase);
    }

    public BertModel Model { get; }

    public InferenceSession Session { get; }

    private FastBertTokenizer.BertTokenizer Tokenizer { get; }

    /// <summary>
    /// Token ids with [CLS] and [SEP], at most 256. The one place the test depends on a tokenizer: FastBertTokenizer
    /// (HF-exact) until the project's own tokenizer replaces it.
    /// </summary>
    public long[] Tokenize(string text)
    {
        var (ids, _, _) = Tokenizer.Encode(text, maximumTokens: 256);
        return ids.ToArray();
    }

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
        // BrownCorpus.ReadAll's pattern "c??[0-9]*" finds nothing (.NET wildcards have no [0-9] class); list the files here until it is fixed.
        var files = CorpusLocator.Brown().GetFiles("c???").Where(f => char.IsAsciiDigit(f.Name[2])).OrderBy(f => f.Name, StringComparer.Ordinal);
        var lines = files.SelectMany(f => BrownCorpus.StripTags(File.ReadAllText(f.FullName)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
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
