using BertFunctions.Modeling;
using BertFunctions.Serving.Models;
using Onnx;

namespace BertFunctions.Serving.Tests;

/// <summary>
/// What <see cref="Int8DynamicQuantizer"/> does to a graph: every MatMul by a constant float [K, N] initializer becomes
/// the five-node int8 pattern, wired exactly; every other node and initializer is left as it was; and ONNX Runtime
/// fuses each pattern into its int8 kernels. On our own export and on a third-party one (PyTorch's, opset 13).
/// </summary>
public sealed class Int8GraphTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => ["our export (opset 20)", "all-MiniLM-L6-v2 as PyTorch exported it (opset 13)"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_MatMul_by_a_constant_weight_becomes_the_int8_pattern_and_nothing_else_changes(string model)
    {
        var bytes = Bytes(model);
        var original = ModelProto.Parser.ParseFrom(bytes);
        var result = Int8DynamicQuantizer.Quantize(original);
        var graph = result.Model.Graph;

        var expected = ConstantWeightMatMuls(original.Graph);
        output.WriteLine($"{model}: {original.Graph.Node.Count} nodes, {original.Graph.Node.Count(n => n.OpType == "MatMul")} MatMuls, {expected.Count} with a constant weight");
        Assert.Equal(model.StartsWith("our", StringComparison.Ordinal) ? 6 * 6 + 2 : 6 * 6, expected.Count); // 6 per layer (+ pooler and head in ours)
        Assert.Equal(expected.Select(n => n.Output[0]), result.Quantized);
        Assert.Equal(ModelProto.Parser.ParseFrom(bytes), original); // the input model is not modified

        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var at = 0;
        foreach (var node in original.Graph.Node)
        {
            if (!expected.Contains(node))
            {
                Assert.Equal(node, graph.Node[at++]);
                continue;
            }

            // DynamicQuantizeLinear(A) → MatMulInteger(A_u8, W_s8, a_zp, 0) → Cast(float) · Mul(a_scale, w_scale).
            var (quantize, product, cast, scale, rescale) = (graph.Node[at], graph.Node[at + 1], graph.Node[at + 2], graph.Node[at + 3], graph.Node[at + 4]);
            at += 5;
            Assert.Equal(["DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul", "Mul"], new[] { quantize, product, cast, scale, rescale }.Select(n => n.OpType));
            Assert.Equal([node.Input[0]], quantize.Input);
            Assert.Equal([quantize.Output[0], $"{node.Input[1]}_quantized", quantize.Output[2], $"{node.Input[1]}_zero_point"], product.Input);
            Assert.Equal([product.Output[0]], cast.Input);
            Assert.Equal((long)TensorProto.Types.DataType.Float, Assert.Single(cast.Attribute, a => a.Name == "to").I);
            Assert.Equal([quantize.Output[1], $"{node.Input[1]}_scale"], scale.Input);
            Assert.Equal([cast.Output[0], scale.Output[0]], rescale.Input);
            Assert.Equal(node.Output, rescale.Output);

            var weight = original.Graph.Initializer.Single(t => t.Name == node.Input[1]);
            var int8 = initializers[$"{node.Input[1]}_quantized"];
            Assert.Equal((int)TensorProto.Types.DataType.Int8, int8.DataType);
            Assert.Equal(weight.Dims, int8.Dims);
            Assert.Equal(weight.Dims[0] * weight.Dims[1], int8.RawData.Length);
            Assert.Equal([weight.Dims[1]], initializers[$"{node.Input[1]}_scale"].Dims);
            var zeroPoint = initializers[$"{node.Input[1]}_zero_point"];
            Assert.Equal(((int)TensorProto.Types.DataType.Int8, 0), (zeroPoint.DataType, zeroPoint.Dims.Count));
            Assert.Equal([0], zeroPoint.RawData.ToByteArray());
        }

        Assert.Equal(graph.Node.Count, at);

        // The float weights are gone; every other initializer is there, unchanged.
        var replacedWeights = expected.Select(n => n.Input[1]).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(original.Graph.Initializer.Where(t => !replacedWeights.Contains(t.Name)), graph.Initializer.Where(t => original.Graph.Initializer.Any(o => o.Name == t.Name)));
        Assert.Equal(original.Graph.Input, graph.Input);
        Assert.Equal(original.Graph.Output, graph.Output);
        Assert.Equal(original.OpsetImport, result.Model.OpsetImport);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Onnx_Runtime_fuses_every_quantized_MatMul_into_an_int8_kernel(string model)
    {
        var (onnx, quantized) = Int8DynamicQuantizer.Quantize(Bytes(model));
        var optimized = Path.Combine(Path.GetTempPath(), $"int8-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            if (model.StartsWith("our", StringComparison.Ordinal))
            {
                PretrainedProbe.Run(onnx, PretrainedProbe.Encode(["Win a FREE cruise now!!!"]), optimized);
            }
            else
            {
                using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized };
                using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx, options);
            }

            var ops = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node
                .GroupBy(n => n.OpType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            output.WriteLine(string.Join(", ", ops.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")));

            // DynamicQuantizeMatMul where a MatMul quantizes its own input; MatMulIntegerToFloat where ONNX Runtime first
            // merged the identical DynamicQuantizeLinear of Q, K and V into one (common subexpression elimination).
            Assert.Equal(quantized.Count, ops.GetValueOrDefault("DynamicQuantizeMatMul") + ops.GetValueOrDefault("MatMulIntegerToFloat"));
            Assert.False(ops.ContainsKey("MatMulInteger"), "an unfused MatMulInteger is left");
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    [Fact]
    public void The_int8_graph_also_runs_on_the_exact_u8u8_kernels_of_CPUs_without_VNNI()
    {
        // ONNX Runtime's precision mode (what Int8Kernels sets without VNNI) rewrites every int8 weight and zero point
        // as uint8, node by node; it fails on an initializer two nodes share, so each MatMul must have its own.
        var (onnx, _) = Int8DynamicQuantizer.Quantize(PretrainedProbe.Onnx);
        var rows = PretrainedProbe.Encode(["Win a FREE cruise now!!! Click here: $100 cash", "Meeting moved to 3pm, see you there."]);
        var precise = PretrainedProbe.Run(onnx, rows, precisionMode: true);

        // u8u8 and (VNNI) u8s8 sum the same integer products exactly; only the float epilogue may round differently.
        if (!Int8Kernels.U8S8MayOverflow)
        {
            var fast = PretrainedProbe.Run(onnx, rows);
            var difference = precise.Zip(fast, (p, f) => p.Zip(f, (a, b) => Math.Abs(a - b)).Max()).Max();
            output.WriteLine($"u8u8 against u8s8 (VNNI): max |Δ| {difference:E2}");
            Assert.True(difference <= 1e-5, $"max |Δ| {difference:E2}");
        }

        var fp32 = PretrainedProbe.Run(PretrainedProbe.Onnx, rows);
        Assert.True(precise.Zip(fp32, (p, f) => p.Zip(f, (a, b) => Math.Abs(a - b)).Max()).Max() <= 0.05);
    }

    [Fact]
    public void A_model_older_than_opset_11_is_refused()
    {
        var model = ModelProto.Parser.ParseFrom(PretrainedProbe.Onnx);
        model.OpsetImport[0].Version = 10;
        Assert.Throws<NotSupportedException>(() => Int8DynamicQuantizer.Quantize(model));
        Assert.Throws<InvalidDataException>(() => Int8DynamicQuantizer.Quantize([1, 2, 3]));
    }

    private static byte[] Bytes(string model) => model.StartsWith("our", StringComparison.Ordinal) ? PretrainedProbe.Onnx : MiniLmPretrained.ReadOnnxBytes();

    // Computed here independently of the quantizer: MatMul nodes whose B is a float [K, N] initializer that is not also a graph input.
    private static List<NodeProto> ConstantWeightMatMuls(GraphProto graph)
    {
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var weights = graph.Initializer.Where(t => !inputs.Contains(t.Name) && t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return [.. graph.Node.Where(n => n.OpType == "MatMul" && weights.Contains(n.Input[1]))];
    }
}
