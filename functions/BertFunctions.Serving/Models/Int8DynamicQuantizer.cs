using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace BertFunctions.Serving.Models;

/// <summary>
/// Int8 dynamic quantization of an ONNX model's dense layers, in C# (onnxruntime.quantization is Python): every
/// <c>MatMul</c> whose B is a constant float initializer [K, N] gets int8 weights (<see cref="Int8Weights"/>: symmetric,
/// per output column) and quantizes its activations at run time, per tensor, to uint8:
/// <code>
///   DynamicQuantizeLinear(A)             → A_u8, a_scale, a_zp
///   MatMulInteger(A_u8, W_s8, a_zp, 0)   → int32
///   Cast(to float) · Mul(a_scale, w_scales[N])
/// </code>
/// exactly the subgraph ONNX Runtime fuses (MatMulIntegerToFloatFusion, then DynamicQuantizeMatMulFusion, with the
/// following bias Add folded in) into one <c>com.microsoft.DynamicQuantizeMatMul</c>, whose u8×s8 GEMM uses VNNI where
/// the CPU has it. Standard ops only, so the graph stays valid ONNX for any runtime. The fusion wants the two scales
/// multiplied first and each DynamicQuantizeLinear feeding one MatMul, so that is how they are emitted (ONNX Runtime then
/// merges the identical ones of Q, K and V itself, and runs those three as MatMulIntegerToFloat); the literal order,
/// Cast · a_scale · w_scales, is not fused and measured 0.85x as fast. Everything else (embedding Gathers, LayerNorm,
/// GELU, softmax, the attention MatMuls of two activations) stays float32.
/// </summary>
public static class Int8DynamicQuantizer
{
    /// <summary>DynamicQuantizeLinear came with opset 11.</summary>
    public const long MinimumOpset = 11;

    /// <summary>Parses, quantizes and serializes an ONNX model.</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model.</exception>
    public static (byte[] Onnx, IReadOnlyList<string> Quantized) Quantize(byte[] onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"not an ONNX model: {e.Message}", e);
        }

        var result = Quantize(model);
        return (result.Model.ToByteArray(), result.Quantized);
    }

    /// <summary>A quantized copy of <paramref name="model"/> (which is left as it is).</summary>
    /// <exception cref="NotSupportedException">The model's opset is older than <see cref="MinimumOpset"/>.</exception>
    public static QuantizedModel Quantize(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; quantization reads it as it is in memory.");
        }

        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < MinimumOpset)
        {
            throw new NotSupportedException($"int8 dynamic quantization needs opset {MinimumOpset} or later (DynamicQuantizeLinear); the model imports opset {opset}");
        }

        var copy = model.Clone();
        var graph = copy.Graph ?? throw new InvalidDataException("the ONNX model has no graph");
        var rewrite = new Rewrite(graph);
        var nodes = new List<NodeProto>(graph.Node.Count);
        var quantized = new List<string>();
        foreach (var node in graph.Node)
        {
            if (rewrite.ConstantWeight(node) is { } weight)
            {
                // In place of the MatMul, so the node list stays topologically sorted.
                nodes.AddRange(rewrite.Replace(node, weight));
                quantized.Add(node.Output[0]);
            }
            else
            {
                nodes.Add(node);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        rewrite.DropUnreadFloatWeights();
        return new QuantizedModel(copy, quantized);
    }

    /// <summary>The state of one graph's rewrite: the names in use, and the weights quantized so far.</summary>
    private sealed class Rewrite
    {
        private readonly GraphProto graph;
        private readonly Dictionary<string, TensorProto> constants = new(StringComparer.Ordinal);
        private readonly HashSet<string> names = new(StringComparer.Ordinal);
        private readonly HashSet<string> quantizedWeights = new(StringComparer.Ordinal);

        public Rewrite(GraphProto graph)
        {
            this.graph = graph;
            // An initializer that is also a graph input is only a default the caller may override: not a constant.
            var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var initializer in graph.Initializer.Where(t => !inputs.Contains(t.Name)))
            {
                constants.TryAdd(initializer.Name, initializer);
            }

            // Values, initializers and nodes: a new name must clash with none of them.
            names.UnionWith(inputs);
            names.UnionWith(graph.Initializer.Select(t => t.Name));
            names.UnionWith(graph.Node.SelectMany(n => n.Output.Append(n.Name)));
        }

        /// <summary>The float [K, N] initializer <paramref name="node"/> multiplies by, when it is a MatMul that has one.</summary>
        public TensorProto? ConstantWeight(NodeProto node) =>
            node is { OpType: "MatMul", Domain: "" or "ai.onnx", Input.Count: 2, Output.Count: 1 }
            && constants.TryGetValue(node.Input[1], out var weight)
            && weight.DataType == (int)TensorProto.Types.DataType.Float
            && weight.Dims.Count == 2 && weight.Dims[0] > 0 && weight.Dims[1] > 0
            && weight.DataLocation != TensorProto.Types.DataLocation.External
                ? weight
                : null;

        /// <summary>The five nodes that compute <paramref name="matMul"/>'s output from int8 weights.</summary>
        public IEnumerable<NodeProto> Replace(NodeProto matMul, TensorProto weight)
        {
            var stem = string.IsNullOrEmpty(matMul.Name) ? matMul.Output[0] : matMul.Name;
            var (values, scales, zeroPoint) = Quantized(weight);
            var quantizedInput = Claim($"{stem}/quantized_input");
            var inputScale = Claim($"{stem}/input_scale");
            var inputZeroPoint = Claim($"{stem}/input_zero_point");
            var product = Claim($"{stem}/int32_product");
            var productFloat = Claim($"{stem}/float_product");
            var scale = Claim($"{stem}/scale");

            var toFloat = new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float };
            yield return Node("DynamicQuantizeLinear", $"{stem}/DynamicQuantizeLinear", [matMul.Input[0]], [quantizedInput, inputScale, inputZeroPoint]); // (..., K) u8; (); ()
            yield return Node("MatMulInteger", $"{stem}/MatMulInteger", [quantizedInput, values, inputZeroPoint, zeroPoint], [product]);               // (..., N) int32
            yield return Node("Cast", $"{stem}/Cast", [product], [productFloat], toFloat);                                                            // (..., N) float
            yield return Node("Mul", $"{stem}/Scale", [inputScale, scales], [scale]);                  // (N) a_scale · w_scale[n]: the fusion wants a_scale first
            yield return Node("Mul", $"{stem}/Rescale", [productFloat, scale], [matMul.Output[0]]);   // (..., N) what the MatMul computed
        }

        /// <summary>Removes the float weights no node reads any more (all their MatMuls now read int8 copies).</summary>
        public void DropUnreadFloatWeights()
        {
            var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
            foreach (var unread in graph.Initializer.Where(t => quantizedWeights.Contains(t.Name) && !read.Contains(t.Name)).ToList())
            {
                graph.Initializer.Remove(unread);
            }
        }

        // Each MatMul gets its own int8 weight, scales and zero point, even where two share a float weight: ONNX Runtime's
        // u8u8 fallback for CPUs without VNNI (session.x64quantprecision) rewrites them per node and fails on a shared one.
        private (string Values, string Scales, string ZeroPoint) Quantized(TensorProto weight)
        {
            var (rows, columns) = (checked((int)weight.Dims[0]), checked((int)weight.Dims[1]));
            var floats = weight.RawData.IsEmpty ? [.. weight.FloatData] : MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray();
            if (floats.Length != (long)rows * columns)
            {
                throw new InvalidDataException($"initializer '{weight.Name}' holds {floats.Length} floats, not the {rows} x {columns} its dims say");
            }

            var q = Int8Weights.Quantize(floats, rows, columns);
            quantizedWeights.Add(weight.Name);
            return (
                Initializer($"{weight.Name}_quantized", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(q.Values.AsSpan()), rows, columns),
                Initializer($"{weight.Name}_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(q.Scales.AsSpan()), columns),
                // Symmetric: 0, in B's type as MatMulInteger wants it; a scalar, as the fused kernels take it.
                Initializer($"{weight.Name}_zero_point", TensorProto.Types.DataType.Int8, [0]));
        }

        private string Initializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, params long[] dims)
        {
            var tensor = new TensorProto { Name = Claim(name), DataType = (int)type, RawData = ByteString.CopyFrom(data) };
            tensor.Dims.AddRange(dims);
            graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        private NodeProto Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = opType, Name = Claim(name) };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            node.Attribute.AddRange(attributes);
            return node;
        }

        // ONNX rewires silently on a clash; a suffix keeps each name unique (names from our exports never clash).
        private string Claim(string name)
        {
            var unique = name;
            for (var i = 1; !names.Add(unique); i++)
            {
                unique = $"{name}_{i}";
            }

            return unique;
        }
    }
}
