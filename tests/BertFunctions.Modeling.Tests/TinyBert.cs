using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

/// <summary>A configuration small enough for unit tests, and the HF key names it must produce.</summary>
internal static class TinyBert
{
    public static BertConfig Config { get; } = new()
    {
        VocabSize = 99,
        HiddenSize = 32,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 37,
        MaxPositionEmbeddings = 64,
        TypeVocabSize = 2,
        HiddenDropoutProb = 0.1,
        AttentionProbsDropoutProb = 0.1,
        Id2Label = new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam", ["2"] = "other" },
        Label2Id = new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1, ["other"] = 2 },
    };

    public static string Vocabulary { get; } = string.Join('\n', new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }.Concat(Enumerable.Range(0, 94).Select(i => $"w{i}"))) + "\n";

    /// <summary>HF BertModel keys, from the naming rules of modeling_bert.py.</summary>
    public static List<string> BertModelKeys(int layers, bool pooler, string prefix = "")
    {
        var keys = new List<string>
        {
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        };
        for (var i = 0; i < layers; i++)
        {
            foreach (var part in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm" })
            {
                keys.Add($"encoder.layer.{i}.{part}.weight");
                keys.Add($"encoder.layer.{i}.{part}.bias");
            }
        }

        if (pooler)
        {
            keys.AddRange(["pooler.dense.weight", "pooler.dense.bias"]);
        }

        return keys.Select(k => prefix + k).ToList();
    }

    /// <summary>What HF's save_pretrained writes for BertForMaskedLM (tied decoder weight and bias left out).</summary>
    public static List<string> MaskedLMSavedKeys(int layers) =>
        [.. BertModelKeys(layers, pooler: false, "bert."), "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias"];

    public static List<string> ClassificationKeys(int layers) =>
        [.. BertModelKeys(layers, pooler: true, "bert."), "classifier.weight", "classifier.bias"];

    /// <summary>A fixed batch: two sequences, the second padded after 5 tokens.</summary>
    public static (Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds) Batch(int length = 9)
    {
        var generator = new Random(7);
        var ids = new long[2 * length];
        var mask = new long[2 * length];
        for (var i = 0; i < ids.Length; i++)
        {
            var real = i < length || i - length < 5;
            ids[i] = real ? generator.Next(5, 99) : 0;
            mask[i] = real ? 1 : 0;
        }

        ids[0] = ids[length] = 2;
        return (tensor(ids, [2, length]), tensor(mask, [2, length]), zeros(2, length, dtype: ScalarType.Int64));
    }
}
