using static TorchSharp.torch;

namespace BertFunctions.Export;

/// <summary>
/// A model's state dict handed out to the graph builder as initializers, strictly: every key is taken exactly once
/// with the shape the config implies, and <see cref="EnsureAllTaken"/> fails on any key the graph never used, so an
/// export cannot silently drop or invent a parameter. Initializers keep the HF key names.
/// </summary>
internal sealed class ExportedWeights
{
    private readonly Dictionary<string, Tensor> stateDict;
    private readonly HashSet<string> taken = new(StringComparer.Ordinal);
    private readonly OnnxGraphBuilder graph;

    public ExportedWeights(nn.Module model, OnnxGraphBuilder graph)
    {
        stateDict = model.state_dict();
        this.graph = graph;
    }

    /// <summary>Adds <paramref name="key"/> as it is (embeddings, biases, LayerNorm weights); returns its name.</summary>
    public string Parameter(string key, params long[] shape) => graph.Initializer(key, Take(key, shape, transpose: false), shape);

    /// <summary>
    /// Adds a <c>Linear</c> weight, [out, in] in PyTorch, TRANSPOSED to [in, out] under its HF name, so that
    /// <c>MatMul(x, W)</c> computes <c>x Wᵀ</c> with no Transpose node (PyTorch's own exporter does the same).
    /// </summary>
    public string LinearWeight(string key, long outFeatures, long inFeatures) =>
        graph.Initializer(key, Take(key, [outFeatures, inFeatures], transpose: true), inFeatures, outFeatures);

    /// <summary>Throws if any key of the state dict was not exported.</summary>
    public void EnsureAllTaken()
    {
        var left = stateDict.Keys.Where(k => !taken.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (left.Count > 0)
        {
            throw new InvalidDataException($"the ONNX graph does not use these parameters of the model: {string.Join(", ", left)}.");
        }
    }

    private float[] Take(string key, long[] shape, bool transpose)
    {
        if (!stateDict.TryGetValue(key, out var value))
        {
            throw new InvalidDataException($"the model has no parameter '{key}' (does the config match the model?).");
        }

        if (!taken.Add(key))
        {
            throw new InvalidOperationException($"parameter '{key}' exported twice.");
        }

        if (!value.shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"parameter '{key}' has shape [{string.Join(", ", value.shape)}], the config implies [{string.Join(", ", shape)}].");
        }

        // The state dict holds the model's own parameters: only the copies made here are disposed (by the scope).
        using var scope = NewDisposeScope();
        var copy = value.detach().to(ScalarType.Float32, CPU); // any device and float dtype: ONNX gets float32
        return (transpose ? copy.t() : copy).contiguous().data<float>().ToArray();
    }
}
