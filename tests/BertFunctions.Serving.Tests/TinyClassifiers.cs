using BertFunctions.Modeling;
using static TorchSharp.torch;

namespace BertFunctions.Serving.Tests;

/// <summary>
/// Small BERT classifiers (ham/spam, MiniLM's vocabulary so real token ids fit) with EVERY parameter random and
/// seeded by System.Random, so two seeds give visibly different answers and a mis-fed input changes the logits.
/// </summary>
public static class TinyClassifiers
{
    public static BertConfig Config { get; } = new()
    {
        VocabSize = 30522,
        HiddenSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 37,
        HiddenAct = "gelu",
        MaxPositionEmbeddings = 128,
        Id2Label = new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam" },
        Label2Id = new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1 },
    };

    public static BertForSequenceClassification Create(int seed)
    {
        var model = new BertForSequenceClassification(Config);
        var random = new Random(seed);
        var weights = model.state_dict().ToDictionary(
            kv => kv.Key,
            kv => Uniform(random, kv.Value.shape, kv.Key.EndsWith("LayerNorm.weight", StringComparison.Ordinal) ? 1 : 0, 0.2));
        StrictLoader.Load(model, weights, $"tiny seed {seed}");
        foreach (var t in weights.Values)
        {
            t.Dispose();
        }

        model.eval();
        return model;
    }

    /// <summary>TorchSharp's logits (B, L) for sequences right-padded with [PAD] (0), mask 0, one segment.</summary>
    public static float[][] Logits(BertForSequenceClassification model, IReadOnlyList<int[]> sequences)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var length = sequences.Max(s => s.Length);
        var ids = new long[sequences.Count * length];
        var mask = new long[ids.Length];
        for (var i = 0; i < sequences.Count; i++)
        {
            for (var t = 0; t < sequences[i].Length; t++)
            {
                ids[(i * length) + t] = sequences[i][t];
                mask[(i * length) + t] = 1;
            }
        }

        long[] shape = [sequences.Count, length];
        var logits = model.forward(tensor(ids, shape), tensor(mask, shape), zeros(shape, ScalarType.Int64)).Logits.data<float>().ToArray();
        var labels = logits.Length / sequences.Count;
        return [.. Enumerable.Range(0, sequences.Count).Select(i => logits[(i * labels)..((i + 1) * labels)])];
    }

    private static Tensor Uniform(Random random, long[] shape, double mean, double std)
    {
        var values = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            // Uniform on mean ± std·√3, which has standard deviation std.
            values[i] = (float)(mean + (((random.NextDouble() * 2) - 1) * std * Math.Sqrt(3)));
        }

        return tensor(values, shape);
    }
}
