using System.Reflection;
using System.Text.Json;
using BertFunctions.Modeling;
using Google.Protobuf;
using Onnx;

namespace BertFunctions.Export;

/// <summary>
/// Writes a <see cref="BertForSequenceClassification"/> as an ONNX model built by hand from its weights (TorchSharp
/// cannot trace). Inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>: int64 [batch, sequence],
/// both dimensions dynamic; output <c>logits</c>: float32 [batch, num_labels]. Opset 20 (LayerNormalization, Gelu as
/// single ops). Initializers carry the HF parameter names; <c>Linear</c> weights are stored TRANSPOSED ([in, out]) for
/// MatMul, everything else as in the state dict. Metadata: id2label, label2id, the vocabulary hash when given.
/// </summary>
public static class OnnxClassifierExport
{
    /// <summary>The default-domain opset: 17 brings LayerNormalization, 20 Gelu.</summary>
    public const int Opset = 20;

    /// <summary>ONNX IR version 9, the one released with opset 20 (ONNX 1.15); ONNX Runtime 1.16+ reads it.</summary>
    public const long IrVersion = 9;

    /// <summary>Graph input and output names (those of HF's tokenizer and of HF/Optimum exports).</summary>
    public const string InputIds = "input_ids", AttentionMask = "attention_mask", TokenTypeIds = "token_type_ids", Logits = "logits";

    /// <summary><c>producer_name</c> of the model.</summary>
    public const string Producer = "BertFunctions";

    /// <summary>metadata_props keys.</summary>
    public const string Id2LabelKey = "id2label", Label2IdKey = "label2id", VocabularySha256Key = "vocab_sha256", WeightLayoutKey = "weight_layout";

    /// <summary>The inputs, in order.</summary>
    public static IReadOnlyList<string> InputNames { get; } = [InputIds, AttentionMask, TokenTypeIds];

    /// <summary>Writes the ONNX model of <paramref name="model"/> (any device or float dtype) to <paramref name="output"/>.</summary>
    /// <param name="model">The classifier; its parameters are read, not changed.</param>
    /// <param name="config">The config it was built from; every parameter's shape is checked against it.</param>
    /// <param name="output">Where the ModelProto bytes go; left open.</param>
    /// <param name="vocabularySha256">Hex SHA-256 of the vocab.txt the model was trained with, stored as <c>vocab_sha256</c> so a server can refuse a mismatched tokenizer.</param>
    public static void Export(BertForSequenceClassification model, BertConfig config, Stream output, string? vocabularySha256 = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        Build(model, config, vocabularySha256).WriteTo(output);
    }

    /// <summary>The ModelProto <see cref="Export"/> writes.</summary>
    internal static ModelProto Build(BertForSequenceClassification model, BertConfig config, string? vocabularySha256 = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = ClassifierLabels.Complete(config.Validate());
        var graph = new OnnxGraphBuilder("BertForSequenceClassification");
        var weights = new ExportedWeights(model, graph);
        var ids = graph.Input(InputIds, TensorProto.Types.DataType.Int64, "batch", "sequence");
        var mask = graph.Input(AttentionMask, TensorProto.Types.DataType.Int64, "batch", "sequence");
        var types = graph.Input(TokenTypeIds, TensorProto.Types.DataType.Int64, "batch", "sequence");
        var logits = new BertOnnxGraph(graph, weights, config).SequenceClassification(ids, mask, types, Logits);
        graph.Output(logits, TensorProto.Types.DataType.Float, "batch", config.LabelCount);
        weights.EnsureAllTaken();

        graph.Graph.DocString = "HF BertForSequenceClassification in eval mode. Initializers have HF parameter names; "
            + "Linear weights (*.dense.weight, *.query/key/value.weight, classifier.weight) are stored transposed, [in, out], for MatMul.";
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = Producer,
            ProducerVersion = typeof(OnnxClassifierExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
            Domain = "bertfunctions",
            ModelVersion = 1,
            DocString = graph.Graph.DocString,
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        AddMetadata(proto, Id2LabelKey, JsonSerializer.Serialize(config.Id2Label));
        AddMetadata(proto, Label2IdKey, JsonSerializer.Serialize(config.Label2Id));
        AddMetadata(proto, WeightLayoutKey, "Linear weights transposed to [in, out] under their HF names");
        if (vocabularySha256 is not null)
        {
            AddMetadata(proto, VocabularySha256Key, vocabularySha256);
        }

        return proto;
    }

    private static void AddMetadata(ModelProto proto, string key, string value) => proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
}
