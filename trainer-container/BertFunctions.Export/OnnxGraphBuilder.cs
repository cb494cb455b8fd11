using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace BertFunctions.Export;

/// <summary>
/// The plumbing of a hand-built ONNX graph: nodes whose single output is named after the node, float initializers
/// stored as raw little-endian data, and shared constants. Knows nothing about BERT.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> constants = new(StringComparer.Ordinal);

    /// <summary>Starts a graph called <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name)
    {
        if (!BitConverter.IsLittleEndian)
        {
            // raw_data is little-endian by the ONNX spec; the float bytes are copied as they are in memory.
            throw new PlatformNotSupportedException("ONNX export writes raw tensor data and needs a little-endian machine.");
        }

        Graph = new GraphProto { Name = name };
    }

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph { get; }

    /// <summary>Declares a graph input of element type <paramref name="type"/>; a string dimension is symbolic (dynamic).</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Graph.Input.Add(ValueInfo(Claim(name), type, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/>, the output of a node, as a graph output.</summary>
    public void Output(string value, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(value, type, dims));

    /// <summary>Adds a float32 initializer.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A float32 scalar constant, shared by value.</summary>
    public string Scalar(float value) => Constant("const.f32." + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), () => FloatTensor([value]));

    /// <summary>An int64 scalar constant (rank 0, e.g. a Gather index that drops the axis), shared by value.</summary>
    public string Int64Scalar(long value) => Constant($"const.i64.{value}", () => Int64Tensor([value]));

    /// <summary>An int64 vector constant (shapes, axes), shared by value.</summary>
    public string Int64Vector(params long[] values) => Constant($"const.i64[{string.Join(',', values)}]", () =>
    {
        var t = Int64Tensor(values);
        t.Dims.Add(values.Length);
        return t;
    });

    /// <summary>Adds a node named <paramref name="name"/> whose one output is also called <paramref name="name"/>.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Claim(name) };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return name;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Attribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attribute(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string attribute.</summary>
    public static AttributeProto Attribute(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Attribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Constant(string name, Func<TensorProto> create)
    {
        if (!constants.TryGetValue(name, out var existing))
        {
            var tensor = create();
            tensor.Name = Claim(name);
            Graph.Initializer.Add(tensor);
            constants[name] = existing = name;
        }

        return existing;
    }

    // Node outputs, inputs and initializers share one namespace in ONNX; a clash would silently rewire the graph.
    private string Claim(string name) => names.Add(name) ? name : throw new InvalidOperationException($"ONNX value name '{name}' is used twice.");

    private static TensorProto FloatTensor(float[] values) => new()
    {
        DataType = (int)TensorProto.Types.DataType.Float,
        RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
    };

    private static TensorProto Int64Tensor(long[] values) => new()
    {
        DataType = (int)TensorProto.Types.DataType.Int64,
        RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
    };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"dimension {dim} of '{name}' is neither a symbol nor a size", nameof(dims)),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
