using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BertFunctions.Export.Tests;

/// <summary>ONNX Runtime with every graph optimisation on (ORT_ENABLE_ALL, fusions included), as a server would run the export.</summary>
public sealed class OnnxRunner : IDisposable
{
    private readonly SessionOptions options = new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    private readonly InferenceSession session;

    public OnnxRunner(byte[] model) => session = new InferenceSession(model, options);

    public OnnxRunner(string path) => session = new InferenceSession(path, options);

    public InferenceSession Session => session;

    /// <summary>logits (B, L), row-major.</summary>
    public float[] Logits(Batch batch)
    {
        var dims = new[] { batch.Size, batch.Length };
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor(OnnxClassifierExport.InputIds, new DenseTensor<long>(batch.Ids, dims)),
            NamedOnnxValue.CreateFromTensor(OnnxClassifierExport.AttentionMask, new DenseTensor<long>(batch.Mask, dims)),
            NamedOnnxValue.CreateFromTensor(OnnxClassifierExport.TokenTypeIds, new DenseTensor<long>(batch.Types, dims)),
        ], [OnnxClassifierExport.Logits]);
        var logits = results[0].AsTensor<float>();
        Assert.Equal([batch.Size, logits.Dimensions[1]], logits.Dimensions.ToArray());
        return logits.ToArray();
    }

    public void Dispose()
    {
        session.Dispose();
        options.Dispose();
    }
}
