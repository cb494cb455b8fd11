using System.Text.Json;
using BertFunctions.Modeling;
using Onnx;

namespace BertFunctions.Export.Tests;

/// <summary>What the exported ModelProto looks like: names, shapes, opset, metadata, and which ops carry the math.</summary>
public sealed class OnnxGraphTests
{
    private static readonly BertConfig Micro = new()
    {
        VocabSize = 40,
        HiddenSize = 16,
        NumHiddenLayers = 2,
        NumAttentionHeads = 2,
        IntermediateSize = 24,
        MaxPositionEmbeddings = 12,
        NumLabels = 3,
    };

    [Fact]
    public void Every_parameter_is_an_initializer_with_its_hf_name_and_linear_weights_are_transposed()
    {
        using var model = Classifiers.Tiny(seed: 5);
        var proto = OnnxClassifierExport.Build(model, Classifiers.TinyConfig);
        var initializers = proto.Graph.Initializer.ToDictionary(t => t.Name);
        var stateDict = model.state_dict();

        Assert.Equal(41, stateDict.Count); // 5 embedding + 16 per layer x 2 + pooler 2 + classifier 2
        foreach (var (key, value) in stateDict)
        {
            Assert.True(initializers.TryGetValue(key, out var init), $"no initializer '{key}'");
            var isLinearWeight = value.shape.Length == 2 && !key.Contains("embeddings", StringComparison.Ordinal);
            Assert.Equal(isLinearWeight ? value.shape.Reverse() : value.shape, init.Dims);
            Assert.Equal(value.numel() * 4, init.RawData.Length);
        }

        // Transposed means element [i, j] of the initializer is W[j, i].
        var query = model.state_dict()["bert.encoder.layer.1.attention.self.query.weight"];
        var stored = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(initializers["bert.encoder.layer.1.attention.self.query.weight"].RawData.Span);
        Assert.Equal(query[5, 3].item<float>(), stored[(3 * 32) + 5]);

        // The rest are small constants (shapes, axes, scalars).
        Assert.All(initializers.Values.Where(t => !stateDict.ContainsKey(t.Name)), t => Assert.True(t.RawData.Length <= 32, t.Name));
    }

    [Fact]
    public void Signature_opset_and_metadata_are_as_documented()
    {
        using var model = Classifiers.Tiny(seed: 5);
        var proto = ModelProto.Parser.ParseFrom(Export(model, Classifiers.TinyConfig, vocabularySha256: "ab12"));

        Assert.Equal(OnnxClassifierExport.IrVersion, proto.IrVersion);
        Assert.Equal("BertFunctions", proto.ProducerName);
        Assert.Equal(20, Assert.Single(proto.OpsetImport).Version);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], proto.Graph.Input.Select(i => i.Name));
        foreach (var input in proto.Graph.Input)
        {
            Assert.Equal((int)TensorProto.Types.DataType.Int64, input.Type.TensorType.ElemType);
            Assert.Equal(["batch", "sequence"], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        }

        var output = Assert.Single(proto.Graph.Output);
        Assert.Equal("logits", output.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, output.Type.TensorType.ElemType);
        Assert.Equal("batch", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, output.Type.TensorType.Shape.Dim[1].DimValue);

        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam", ["2"] = "other" }, JsonSerializer.Deserialize<Dictionary<string, string>>(metadata["id2label"]));
        Assert.Equal(new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1, ["other"] = 2 }, JsonSerializer.Deserialize<Dictionary<string, int>>(metadata["label2id"]));
        Assert.Equal("ab12", metadata["vocab_sha256"]);

        var withoutHash = OnnxClassifierExport.Build(model, Classifiers.TinyConfig);
        Assert.DoesNotContain(withoutHash.MetadataProps, p => p.Key == "vocab_sha256");
    }

    [Fact]
    public void Layer_norms_and_gelus_are_single_ops_with_the_config_epsilon_and_approximation()
    {
        using var model = Classifiers.Tiny(seed: 5);
        var nodes = OnnxClassifierExport.Build(model, Classifiers.TinyConfig).Graph.Node;

        var layerNorms = nodes.Where(n => n.OpType == "LayerNormalization").ToList();
        Assert.Equal(1 + (2 * 2), layerNorms.Count);
        Assert.All(layerNorms, n => Assert.Equal(1e-7f, n.Attribute.Single(a => a.Name == "epsilon").F));
        var gelus = nodes.Where(n => n.OpType == "Gelu").ToList();
        Assert.Equal(2, gelus.Count);
        Assert.All(gelus, n => Assert.Equal("tanh", n.Attribute.Single(a => a.Name == "approximate").S.ToStringUtf8()));
        Assert.Equal(2, nodes.Count(n => n.OpType == "Softmax")); // one per layer
        Assert.Equal("bert.encoder.layer.0.attention.self.query/MatMul", nodes.First(n => n.OpType == "MatMul").Name);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Every_supported_activation_exports_and_matches_torchsharp(string activation)
    {
        var config = Micro with { HiddenAct = activation };
        using var model = new BertForSequenceClassification(config);
        model.eval();
        using var onnx = new OnnxRunner(Export(model, config));
        var batch = Batch.Pad([new([2, 7, 9, 3], [0, 0, 1, 1]), new([2, 11, 3], [0, 0, 0])]);

        var expected = batch.TorchLogits(model);
        var actual = onnx.Logits(batch);
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() <= 1e-5, $"{activation}: {string.Join(", ", expected)} vs {string.Join(", ", actual)}");
    }

    public static TheoryData<string> Activations() => new(BertConfig.SupportedActivations);

    [Fact]
    public void A_config_that_does_not_match_the_model_is_refused_naming_the_parameter()
    {
        using var model = new BertForSequenceClassification(Micro);
        var wider = Micro with { IntermediateSize = 32 };
        var e = Assert.Throws<InvalidDataException>(() => Export(model, wider));
        Assert.Contains("bert.encoder.layer.0.intermediate.dense.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("[24, 16]", e.Message, StringComparison.Ordinal);

        var fewerLayers = Micro with { NumHiddenLayers = 1 };
        e = Assert.Throws<InvalidDataException>(() => Export(model, fewerLayers));
        Assert.Contains("does not use", e.Message, StringComparison.Ordinal);
        Assert.Contains("bert.encoder.layer.1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_missing_from_the_config_are_named_as_hf_names_them()
    {
        using var model = new BertForSequenceClassification(Micro);
        var proto = OnnxClassifierExport.Build(model, Micro);
        Assert.Equal("{\"0\":\"LABEL_0\",\"1\":\"LABEL_1\",\"2\":\"LABEL_2\"}", proto.MetadataProps.Single(p => p.Key == "id2label").Value);
    }

    private static byte[] Export(BertForSequenceClassification model, BertConfig config, string? vocabularySha256 = null)
    {
        using var stream = new MemoryStream();
        OnnxClassifierExport.Export(model, config, stream, vocabularySha256);
        return stream.ToArray();
    }
}
