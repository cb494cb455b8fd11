using Microsoft.ML.OnnxRuntime;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// The peer: ONNX Runtime alone on the package's model.onnx, fed token ids prepared beforehand, so that it measures
/// nothing but the inference the endpoint cannot avoid. Its SessionOptions are the ones ClassificationModel.Load builds
/// (ORT_ENABLE_ALL; intra-op threads as Serving:IntraOpThreads says, by default left to ONNX Runtime), and
/// inputs are laid out as ClassificationModel.Run lays them out (B, T) with [PAD] and mask 0 after each row.
/// </summary>
internal sealed class BareSession : IDisposable
{
    private static readonly string[] BertInputs = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly SessionOptions options = new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    private readonly RunOptions runOptions = new();
    private readonly InferenceSession session;
    private readonly string[] inputNames;
    private readonly string[] outputNames = ["logits"];

    /// <param name="onnxPath">The package's model.onnx.</param>
    /// <param name="intraOpThreads">As Serving:IntraOpThreads: 0 leaves the choice to ONNX Runtime.</param>
    public BareSession(string onnxPath, int intraOpThreads = 0)
    {
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

        session = new InferenceSession(onnxPath, options);
        inputNames = [.. BertInputs.Where(session.InputMetadata.ContainsKey)];
    }

    /// <summary>Prepared inputs for one call: ids, mask and segment arrays of one padded (B, T) batch.</summary>
    public sealed record Batch(long[] Ids, long[] Mask, long[] Types, long[] Shape);

    public static Batch Prepare(IReadOnlyList<int[]> rows, int padId)
    {
        var length = rows.Max(r => r.Length);
        var ids = new long[rows.Count * length];
        var mask = new long[ids.Length];
        Array.Fill(ids, (long)padId);
        for (var b = 0; b < rows.Count; b++)
        {
            for (var t = 0; t < rows[b].Length; t++)
            {
                ids[(b * length) + t] = rows[b][t];
                mask[(b * length) + t] = 1;
            }
        }

        return new Batch(ids, mask, new long[ids.Length], [rows.Count, length]);
    }

    /// <summary>One inference; the logits, (B, labels) row-major (a copy of a few floats, for the agreement check).</summary>
    public float[] Run(Batch batch)
    {
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.Ids, batch.Shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.Mask, batch.Shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.Types, batch.Shape);
        var values = inputNames.Select(n => n switch { "input_ids" => ids, "attention_mask" => mask, _ => types }).ToArray();
        using var outputs = session.Run(runOptions, inputNames, values, outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        session.Dispose();
        runOptions.Dispose();
        options.Dispose();
    }
}
