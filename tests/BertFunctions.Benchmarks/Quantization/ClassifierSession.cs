using BertFunctions.Serving.Models;
using Microsoft.ML.OnnxRuntime;

namespace BertFunctions.Benchmarks.Quantization;

/// <summary>
/// One ONNX Runtime session over a classifier export, fed token ids straight from the shards (no tokenizer: the test
/// split is stored tokenized). Every session gets the same options: ORT_ENABLE_ALL, the default threads (one per core),
/// so that float32 and int8 differ only in the graph.
/// </summary>
internal sealed class ClassifierSession : IDisposable
{
    private static readonly string[] BertInputs = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly SessionOptions options;
    private readonly InferenceSession session;
    private readonly string[] inputNames;
    private readonly long padId;

    /// <param name="onnx">The model's bytes.</param>
    /// <param name="optimizedModelPath">Where ONNX Runtime writes the graph it runs after its optimisations (fusions), or null.</param>
    /// <param name="int8">An int8 graph: configured as serving configures it (<see cref="Int8Kernels"/>: nothing to do where the CPU has VNNI).</param>
    public ClassifierSession(byte[] onnx, long padId, string? optimizedModelPath = null, bool int8 = false)
    {
        options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (int8)
        {
            Int8Kernels.Configure(options);
        }

        if (optimizedModelPath is not null)
        {
            options.OptimizedModelFilePath = optimizedModelPath;
        }

        session = new InferenceSession(onnx, options);
        inputNames = [.. BertInputs.Where(session.InputMetadata.ContainsKey)];
        this.padId = padId;
    }

    /// <summary>Logits (B, L) of <paramref name="rows"/>, right-padded with [PAD] to <paramref name="length"/> (at least the longest), mask 0 there, one segment.</summary>
    public float[][] Logits(IReadOnlyList<int[]> rows, int length = 0)
    {
        length = Math.Max(length, rows.Max(r => r.Length));
        var ids = new long[rows.Count * length];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        Array.Fill(ids, padId);
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
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        var values = inputNames.Select(n => n switch { "input_ids" => idsValue, "attention_mask" => maskValue, _ => typesValue }).ToArray();
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputNames, values, ["logits"]);
        var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var labels = logits.Length / rows.Count;
        return [.. logits.Chunk(labels)];
    }

    /// <summary>Logits of every row, <paramref name="batchSize"/> rows per call in the given order, each call padded to its longest row.</summary>
    public float[][] LogitsInBatches(IReadOnlyList<int[]> rows, int batchSize) =>
        [.. rows.Chunk(batchSize).SelectMany(batch => Logits(batch))];

    public void Dispose()
    {
        session.Dispose();
        options.Dispose();
    }
}
