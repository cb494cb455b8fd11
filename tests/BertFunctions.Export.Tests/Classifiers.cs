using BertFunctions.Modeling;
using static TorchSharp.torch;

namespace BertFunctions.Export.Tests;

/// <summary>The two models the parity tests export, both seeded by System.Random (not torch's global generator, which parallel tests share).</summary>
public static class Classifiers
{
    /// <summary>all-MiniLM-L6-v2 config with 2 labels.</summary>
    public static BertConfig MiniLmConfig { get; } = MiniLmPretrained.Config with
    {
        Architectures = null,
        Id2Label = new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam" },
        Label2Id = new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1 },
    };

    /// <summary>A tiny model with the tanh GELU (gelu_new), 3 labels, MiniLM's vocabulary size so real token ids fit.</summary>
    public static BertConfig TinyConfig { get; } = new()
    {
        VocabSize = 30522,
        HiddenSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 37,
        HiddenAct = "gelu_new",
        MaxPositionEmbeddings = BrownInputs.MaxLength,
        LayerNormEps = 1e-7,
        Id2Label = new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam", ["2"] = "other" },
        Label2Id = new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1, ["other"] = 2 },
    };

    /// <summary>The MiniLM encoder (bert.*, loaded strictly) under a seeded random classifier head (std 0.02, as HF initialises it; the bias random too).</summary>
    public static BertForSequenceClassification MiniLm(int seed)
    {
        var model = new BertForSequenceClassification(MiniLmConfig);
        var weights = MiniLmPretrained.ReadStateDict().ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        var random = new Random(seed);
        weights["classifier.weight"] = Uniform(random, [2, 384], 0, 0.02);
        weights["classifier.bias"] = Uniform(random, [2], 0, 0.02);
        Load(model, weights, "MiniLM + seeded head");
        return model;
    }

    /// <summary>
    /// The MiniLM encoder under an identity "classifier" with 384 outputs: its logits ARE the pooler output, values
    /// in (-1, 1) on every dimension, a sharper probe of the encoder than 2 logits of a small random head.
    /// </summary>
    public static BertForSequenceClassification MiniLmPooledProbe(out BertConfig config)
    {
        config = MiniLmPretrained.Config with { Architectures = null, NumLabels = 384 };
        var model = new BertForSequenceClassification(config);
        var weights = MiniLmPretrained.ReadStateDict().ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        weights["classifier.weight"] = eye(384);
        weights["classifier.bias"] = zeros(384);
        Load(model, weights, "MiniLM + identity head");
        return model;
    }

    /// <summary>
    /// The MiniLM encoder, mean-pooled (classifier_pooling mean, no pooler), under an identity "classifier" with 384
    /// outputs: its logits ARE the mean of the real tokens' hidden states, so padding that leaked into the mean shows.
    /// </summary>
    public static BertForSequenceClassification MiniLmMeanProbe(out BertConfig config)
    {
        config = MiniLmPretrained.Config with { Architectures = null, NumLabels = 384, ClassifierPooling = "mean" };
        var model = new BertForSequenceClassification(config);
        var weights = MiniLmPretrained.ReadStateDict().ToDictionary(kv => "bert." + kv.Key, kv => kv.Value); // its pooler is ignored: the model has none
        weights["classifier.weight"] = eye(384);
        weights["classifier.bias"] = zeros(384);
        Load(model, weights, "MiniLM mean-pooled + identity head");
        return model;
    }

    /// <summary>
    /// <see cref="TinyConfig"/> with EVERY parameter random, LayerNorm weights around 1 and biases non-zero, so a
    /// swapped or mis-transposed tensor anywhere changes the logits.
    /// </summary>
    public static BertForSequenceClassification Tiny(int seed)
    {
        var model = new BertForSequenceClassification(TinyConfig);
        var random = new Random(seed);
        var weights = model.state_dict().ToDictionary(
            kv => kv.Key,
            kv => Uniform(random, kv.Value.shape, kv.Key.EndsWith("LayerNorm.weight", StringComparison.Ordinal) ? 1 : 0, 0.2));
        Load(model, weights, "tiny random");
        return model;
    }

    private static void Load(BertForSequenceClassification model, Dictionary<string, Tensor> weights, string source)
    {
        StrictLoader.Load(model, weights, source);
        foreach (var t in weights.Values)
        {
            t.Dispose();
        }

        model.eval();
    }

    private static Tensor Uniform(Random random, long[] shape, double mean, double std)
    {
        var values = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++)
        {
            // Uniform on mean ± std·√3, which has standard deviation std: cheap, seeded, bounded.
            values[i] = (float)(mean + ((random.NextDouble() * 2) - 1) * std * Math.Sqrt(3));
        }

        return tensor(values, shape);
    }
}
