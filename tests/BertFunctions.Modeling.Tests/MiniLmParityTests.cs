using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

/// <summary>Our BertModel with the imported all-MiniLM-L6-v2 weights against ONNX Runtime running the original graph.</summary>
public sealed class MiniLmParityTests(MiniLmReference reference, ITestOutputHelper output) : IClassFixture<MiniLmReference>
{
    [Fact]
    public void Imported_weights_have_every_hf_key_with_hf_shapes()
    {
        var weights = MiniLmPretrained.ReadStateDict();
        Assert.Equal(TinyBert.BertModelKeys(6, pooler: true).Order(), weights.Keys.Order());
        Assert.Equal([384, 1536], weights["encoder.layer.3.output.dense.weight"].shape); // [out, in] after the transpose
        Assert.Equal([1536, 384], weights["encoder.layer.3.intermediate.dense.weight"].shape);
        Assert.Equal([30522, 384], weights["embeddings.word_embeddings.weight"].shape);
        Assert.Equal(30522, MiniLmPretrained.ReadVocabulary().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Encoder_matches_onnx_runtime_on_64_brown_sentences_batched_with_padding()
    {
        var sentences = reference.BrownSentences(64);
        var tokenized = sentences.Select(reference.Tokenize).ToList();
        tokenized.Insert(10, [101]); // a lone [CLS]: length 1
        var lengths = tokenized.Select(t => t.Length).ToList();
        Assert.Contains(1, lengths);
        Assert.Contains(2, lengths);
        Assert.Contains(3, lengths);
        Assert.Contains(256, lengths);
        Assert.Contains(lengths, l => l is >= 100 and <= 160);
        output.WriteLine($"token counts: min {lengths.Min()}, max {lengths.Max()}, median {lengths.Order().ElementAt(lengths.Count / 2)}");

        // The picks are in random order, so each batch of 16 mixes short and long sequences.
        double maxDiff = 0;
        foreach (var batch in tokenized.Chunk(16))
        {
            var (ids, mask, types, b, t) = Pad(batch);
            var expected = reference.RunOnnx(ids, mask, types, b, t);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var actual = reference.Model.forward(tensor(ids, [b, t]), tensor(mask, [b, t]), tensor(types, [b, t])).LastHiddenState;
            var diff = (actual - tensor(expected, [b, t, 384])).abs() * tensor(mask, [b, t]).unsqueeze(-1); // (B, T, C), padding zeroed
            maxDiff = Math.Max(maxDiff, diff.max().item<float>());
        }

        output.WriteLine($"max |ours - ORT| of last_hidden_state over real tokens: {maxDiff:E3}");
        Assert.True(maxDiff <= 1e-4, $"max abs diff {maxDiff:E3} > 1e-4");
    }

    [Fact]
    public void Sentence_embeddings_match_onnx_mean_pooling_and_rank_similar_sentences_higher()
    {
        string[] sentences =
        [
            "The cat sat on the mat.",
            "A cat was sitting on a rug.",
            "Quarterly revenue grew by ten percent.",
            "The company's sales rose 10% this quarter.",
        ];
        var (ids, mask, types, b, t) = Pad(sentences.Select(reference.Tokenize).ToArray());
        var ort = tensor(reference.RunOnnx(ids, mask, types, b, t), [b, t, 384]);
        var expected = SentenceEmbedding.MeanPooled(ort, tensor(mask, [b, t]));
        var actual = SentenceEmbedding.Encode(reference.Model, tensor(ids, [b, t]), tensor(mask, [b, t]), tensor(types, [b, t]));

        Assert.Equal([4, 384], actual.shape);
        var diff = (actual - expected).abs().max().item<float>();
        output.WriteLine($"max |embedding - ORT embedding| = {diff:E3}");
        Assert.True(diff <= 1e-5, $"max abs diff {diff:E3}");
        Assert.True(actual.norm(1).sub(1).abs().max().item<float>() < 1e-5);

        var cosine = actual.matmul(actual.t()); // unit vectors: dot product = cosine
        float Cos(int i, int j) => cosine[i, j].item<float>();
        output.WriteLine($"cat/cat {Cos(0, 1):F3}, revenue/sales {Cos(2, 3):F3}, cat/revenue {Cos(0, 2):F3}, cat/sales {Cos(1, 3):F3}");
        Assert.True(Cos(0, 1) > Cos(0, 2) + 0.2f && Cos(0, 1) > Cos(1, 3) + 0.2f);
        Assert.True(Cos(2, 3) > Cos(0, 2) + 0.2f && Cos(2, 3) > Cos(1, 3) + 0.2f);
    }

    private static (long[] Ids, long[] Mask, long[] Types, int Batch, int Length) Pad(long[][] sequences)
    {
        var length = sequences.Max(s => s.Length);
        var ids = new long[sequences.Length * length];
        var mask = new long[ids.Length];
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i].CopyTo(ids, i * length);
            Array.Fill(mask, 1L, i * length, sequences[i].Length);
        }

        return (ids, mask, new long[ids.Length], sequences.Length, length);
    }
}
