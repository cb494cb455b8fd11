using BertFunctions.Datasets;
using BertFunctions.Export;
using BertFunctions.Modeling;
using BertFunctions.Tokenization;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace BertFunctions.Serving.Tests;

/// <summary>
/// all-MiniLM-L6-v2's real encoder, exported as our classifier graph under an identity "classifier" with 384 outputs:
/// its logits ARE the pooled [CLS] vector (tanh, in (-1, 1)), which any trained head only maps linearly. Real weights
/// matter for quantization (their outliers set the scales); random ones would flatter it.
/// </summary>
public static class PretrainedProbe
{
    private static readonly Lazy<byte[]> Export = new(ExportOnnx);

    /// <summary>The float32 ONNX export (our exporter, opset 20): 36 encoder MatMuls, the pooler's and the head's.</summary>
    public static byte[] Onnx => Export.Value;

    /// <summary>Ids of <paramref name="texts"/> as training would build them (MiniLM's vocabulary, 128 positions, head + tail).</summary>
    public static IReadOnlyList<int[]> Encode(IEnumerable<string> texts)
    {
        var vocabulary = TokenVocabulary.Load(MiniLmPretrained.OpenVocabulary(), new BertTokenizerOptions { LowerCase = true });
        var builder = new ClassificationExampleBuilder(vocabulary, LabelSet.FromLabels(["ham", "spam"]), new ClassificationOptions());
        return [.. texts.Select(t => builder.Build(t, null).InputIds)];
    }

    /// <summary>Logits (B, L) from an ONNX Runtime session (every optimisation on), rows right-padded with [PAD] (0).</summary>
    /// <param name="precisionMode">Sets ONNX Runtime's <see cref="Models.Int8Kernels.PrecisionModeKey"/> whatever the CPU.</param>
    public static float[][] Run(byte[] onnx, IReadOnlyList<int[]> rows, string? optimizedModelPath = null, bool precisionMode = false)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (precisionMode)
        {
            options.AddSessionConfigEntry(Models.Int8Kernels.PrecisionModeKey, "1");
        }

        if (optimizedModelPath is not null)
        {
            options.OptimizedModelFilePath = optimizedModelPath;
        }

        using var session = new InferenceSession(onnx, options);
        var length = rows.Max(r => r.Length);
        var ids = new long[rows.Count * length];
        var mask = new long[ids.Length];
        for (var b = 0; b < rows.Count; b++)
        {
            for (var t = 0; t < rows[b].Length; t++)
            {
                ids[(b * length) + t] = rows[b][t];
                mask[(b * length) + t] = 1;
            }
        }

        long[] shape = [rows.Count, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["logits"]);
        var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return [.. logits.Chunk(logits.Length / rows.Count)];
    }

    private static byte[] ExportOnnx()
    {
        var config = MiniLmPretrained.Config with { Architectures = null, NumLabels = 384 };
        using var model = new BertForSequenceClassification(config);
        var weights = MiniLmPretrained.ReadStateDict().ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        weights["classifier.weight"] = eye(384);
        weights["classifier.bias"] = zeros(384);
        StrictLoader.Load(model, weights, "MiniLM + identity head");
        foreach (var t in weights.Values)
        {
            t.Dispose();
        }

        model.eval();
        using var onnx = new MemoryStream();
        OnnxClassifierExport.Export(model, config, onnx);
        return onnx.ToArray();
    }
}
