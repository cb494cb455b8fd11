using System.Globalization;
using BertFunctions.Modeling;
using Onnx;
using static BertFunctions.Export.OnnxGraphBuilder;

namespace BertFunctions.Export;

/// <summary>
/// The graph of HF <c>BertForSequenceClassification</c> in eval mode (no dropout), one method per HF module, in the
/// order <c>forward</c> runs them. Node names are the HF module path plus the op (<c>bert.encoder.layer.0.attention.self.query/MatMul</c>);
/// each node's output has the node's name. Shapes: B batch, T sequence, C hidden, nh heads, hs head size, I intermediate, L labels.
/// </summary>
internal sealed class BertOnnxGraph
{
    private readonly OnnxGraphBuilder g;
    private readonly ExportedWeights weights;
    private readonly BertConfig config;

    public BertOnnxGraph(OnnxGraphBuilder graph, ExportedWeights weights, BertConfig config)
    {
        g = graph;
        this.weights = weights;
        this.config = config;
    }

    private long C => config.HiddenSize;

    /// <summary>input_ids, attention_mask, token_type_ids (B, T) int64 to logits (B, L).</summary>
    public string SequenceClassification(string inputIds, string attentionMask, string tokenTypeIds, string logitsName)
    {
        var mask = ExtendedAttentionMask(attentionMask);                          // (B, 1, 1, T)
        var x = Embeddings("bert.embeddings", inputIds, tokenTypeIds);            // (B, T, C)
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            x = Layer($"bert.encoder.layer.{i}", x, mask);                        // (B, T, C)
        }

        var pooled = config.MeanPooling ? MeanPool("bert.mean_pooling", x, attentionMask) : Pooler("bert.pooler", x); // (B, C)
        return Linear("classifier", pooled, C, config.LabelCount, logitsName);   // (B, L)
    }

    /// <summary>word + token_type + position embeddings, then LayerNorm.</summary>
    private string Embeddings(string m, string inputIds, string tokenTypeIds)
    {
        var words = g.Node("Gather", $"{m}.word_embeddings/Gather", [weights.Parameter($"{m}.word_embeddings.weight", config.VocabSize, C), inputIds]);             // (B, T, C)
        var types = g.Node("Gather", $"{m}.token_type_embeddings/Gather", [weights.Parameter($"{m}.token_type_embeddings.weight", config.TypeVocabSize, C), tokenTypeIds]); // (B, T, C)

        // Positions 0..T-1, computed from the input's shape (HF slices a position_ids buffer instead; same values).
        var shape = g.Node("Shape", $"{m}/Shape", [inputIds]);                                      // (2)
        var length = g.Node("Gather", $"{m}/SequenceLength", [shape, g.Int64Scalar(1)]);            // () = T
        var positionIds = g.Node("Range", $"{m}/position_ids", [g.Int64Scalar(0), length, g.Int64Scalar(1)]); // (T)
        var positions = g.Node("Gather", $"{m}.position_embeddings/Gather", [weights.Parameter($"{m}.position_embeddings.weight", config.MaxPositionEmbeddings, C), positionIds]); // (T, C)

        var sum = g.Node("Add", $"{m}/AddTokenType", [words, types]);                    // (B, T, C)
        sum = g.Node("Add", $"{m}/AddPosition", [sum, positions]);                       // (B, T, C), positions broadcast over B
        return LayerNorm($"{m}.LayerNorm", sum);                                          // (B, T, C)
    }

    /// <summary>
    /// HF's extended attention mask: (1 - mask) × most negative float, (B, 1, 1, T), added to every head's scores.
    /// A row that is all padding would mask every key; like <see cref="AttentionMask.ForScaledDotProduct"/> (what
    /// TorchSharp runs), such a row attends to every position instead, so both give the same finite logits for it.
    /// </summary>
    private string ExtendedAttentionMask(string attentionMask)
    {
        const string m = "bert.extended_attention_mask";
        // Through bool, so any non-zero value means "attend", exactly as mask.ne(0) in TorchSharp.
        var keep = g.Node("Cast", $"{m}/CastBool", [attentionMask], Attribute("to", (long)TensorProto.Types.DataType.Bool)); // (B, T)
        keep = g.Node("Cast", $"{m}/CastFloat", [keep], Attribute("to", (long)TensorProto.Types.DataType.Float));            // (B, T) 1/0
        var anyKept = g.Node("ReduceMax", $"{m}/AnyKept", [keep, g.Int64Vector(1)], Attribute("keepdims", 1L));             // (B, 1)
        var allPadding = g.Node("Sub", $"{m}/AllPadding", [g.Scalar(1f), anyKept]);                                          // (B, 1) 1 where nothing is kept
        keep = g.Node("Max", $"{m}/KeepAllWhenAllPadding", [keep, allPadding]);                                              // (B, T)
        var masked = g.Node("Sub", $"{m}/Masked", [g.Scalar(1f), keep]);                                                     // (B, T) 1 where padding
        var bias = g.Node("Mul", $"{m}/Bias", [masked, g.Scalar(float.MinValue)]);                                          // (B, T) 0 or min
        return g.Node("Unsqueeze", m, [bias, g.Int64Vector(1, 2)]);                                                          // (B, 1, 1, T)
    }

    /// <summary>One encoder layer: attention (self + output), then intermediate and output.</summary>
    private string Layer(string m, string x, string mask)
    {
        var context = SelfAttention($"{m}.attention.self", x, mask);                       // (B, T, C)
        var attended = DenseResidualLayerNorm($"{m}.attention.output", context, x, C);    // (B, T, C)
        var hidden = Intermediate($"{m}.intermediate", attended);                          // (B, T, I)
        return DenseResidualLayerNorm($"{m}.output", hidden, attended, config.IntermediateSize); // (B, T, C)
    }

    /// <summary>softmax(Q Kᵀ / √hs + mask) V over nh heads.</summary>
    private string SelfAttention(string m, string x, string mask)
    {
        long nh = config.NumAttentionHeads, hs = config.HeadSize;
        // Reshape's 0 copies the input's dimension, so B and T stay dynamic without any Shape arithmetic.
        var heads = g.Int64Vector(0, 0, nh, hs);
        string Split(string name, string y, params long[] perm) =>
            g.Node("Transpose", $"{m}/{name}Heads", [g.Node("Reshape", $"{m}/{name}Reshape", [y, heads])], Attribute("perm", perm));

        var q = Split("Query", Linear($"{m}.query", x, C, C), 0, 2, 1, 3);   // (B, nh, T, hs)
        var kT = Split("Key", Linear($"{m}.key", x, C, C), 0, 2, 3, 1);      // (B, nh, hs, T)
        var v = Split("Value", Linear($"{m}.value", x, C, C), 0, 2, 1, 3);   // (B, nh, T, hs)

        var scores = g.Node("MatMul", $"{m}/Scores", [q, kT]);                                   // (B, nh, T, T)
        scores = g.Node("Div", $"{m}/Scale", [scores, g.Scalar(MathF.Sqrt(hs))]);                // (B, nh, T, T)
        scores = g.Node("Add", $"{m}/AddMask", [scores, mask]);                                  // (B, nh, T, T)
        var probs = g.Node("Softmax", $"{m}/Softmax", [scores], Attribute("axis", -1L));        // (B, nh, T, T)
        var context = g.Node("MatMul", $"{m}/Context", [probs, v]);                              // (B, nh, T, hs)
        context = g.Node("Transpose", $"{m}/MergeHeads", [context], Attribute("perm", 0L, 2, 1, 3)); // (B, T, nh, hs)
        return g.Node("Reshape", $"{m}/Merge", [context, g.Int64Vector(0, 0, C)]);                // (B, T, C)
    }

    /// <summary>HF <c>attention.output</c> and <c>output</c>: LayerNorm(dense(h) + residual).</summary>
    private string DenseResidualLayerNorm(string m, string hidden, string residual, long inFeatures)
    {
        var y = Linear($"{m}.dense", hidden, inFeatures, C);                     // (B, T, C)
        y = g.Node("Add", $"{m}/Residual", [y, residual]);                       // (B, T, C)
        return LayerNorm($"{m}.LayerNorm", y);                                    // (B, T, C)
    }

    /// <summary>HF <c>intermediate</c>: act(dense(x)).</summary>
    private string Intermediate(string m, string x)
    {
        var y = Linear($"{m}.dense", x, C, config.IntermediateSize);              // (B, T, I)
        return Activation($"{m}.intermediate_act_fn", y);                         // (B, T, I)
    }

    /// <summary>HF <c>pooler</c>: tanh(dense(hidden state at position 0, [CLS])).</summary>
    private string Pooler(string m, string x)
    {
        // A scalar index drops the axis: (B, T, C) to (B, C).
        var first = g.Node("Gather", $"{m}/FirstToken", [x, g.Int64Scalar(0)], Attribute("axis", 1L)); // (B, C)
        return g.Node("Tanh", $"{m}.activation/Tanh", [Linear($"{m}.dense", first, C, C)]);           // (B, C)
    }

    /// <summary>
    /// Mean pooling (<see cref="SentenceEmbedding.Mean"/>): the sum of the hidden states where the mask is non-zero,
    /// over their count (at least 1e-9, as sentence-transformers clamps).
    /// </summary>
    private string MeanPool(string m, string x, string attentionMask)
    {
        var keep = g.Node("Cast", $"{m}/CastBool", [attentionMask], Attribute("to", (long)TensorProto.Types.DataType.Bool)); // (B, T)
        keep = g.Node("Cast", $"{m}/CastFloat", [keep], Attribute("to", (long)TensorProto.Types.DataType.Float));            // (B, T) 1/0
        var weights3 = g.Node("Unsqueeze", $"{m}/Unsqueeze", [keep, g.Int64Vector(2)]);                                      // (B, T, 1)
        var sum = g.Node("ReduceSum", $"{m}/Sum", [g.Node("Mul", $"{m}/Masked", [x, weights3]), g.Int64Vector(1)], Attribute("keepdims", 0L)); // (B, C)
        var count = g.Node("ReduceSum", $"{m}/Count", [keep, g.Int64Vector(1)], Attribute("keepdims", 1L));                 // (B, 1)
        count = g.Node("Max", $"{m}/Clamp", [count, g.Scalar(1e-9f)]);                                                     // (B, 1)
        return g.Node("Div", $"{m}/Mean", [sum, count]);                                                                     // (B, C)
    }

    /// <summary><c>nn.Linear</c>: x Wᵀ + b as MatMul with the stored-transposed weight, then Add.</summary>
    private string Linear(string m, string x, long inFeatures, long outFeatures, string? outputName = null)
    {
        var product = g.Node("MatMul", $"{m}/MatMul", [x, weights.LinearWeight($"{m}.weight", outFeatures, inFeatures)]); // (..., out)
        return g.Node("Add", outputName ?? $"{m}/Add", [product, weights.Parameter($"{m}.bias", outFeatures)]);         // (..., out)
    }

    /// <summary><c>nn.LayerNorm</c> over the last axis: one LayerNormalization (opset 17).</summary>
    private string LayerNorm(string m, string x) => g.Node(
        "LayerNormalization",
        $"{m}/LayerNormalization",
        [x, weights.Parameter($"{m}.weight", C), weights.Parameter($"{m}.bias", C)],
        Attribute("axis", -1L),
        Attribute("epsilon", (float)config.LayerNormEps));

    /// <summary><see cref="BertConfig.HiddenAct"/>: exact (erf) Gelu for gelu, the tanh approximation for gelu_new.</summary>
    private string Activation(string m, string x) => config.HiddenAct switch
    {
        "gelu" => g.Node("Gelu", $"{m}/Gelu", [x], Attribute("approximate", "none")),
        "gelu_new" or "gelu_pytorch_tanh" => g.Node("Gelu", $"{m}/Gelu", [x], Attribute("approximate", "tanh")),
        "relu" => g.Node("Relu", $"{m}/Relu", [x]),
        "tanh" => g.Node("Tanh", $"{m}/Tanh", [x]),
        // No Swish op before opset 24: x · sigmoid(x).
        "silu" or "swish" => g.Node("Mul", $"{m}/Silu", [x, g.Node("Sigmoid", $"{m}/Sigmoid", [x])]),
        _ => throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture, $"hidden_act = \"{config.HiddenAct}\" has no ONNX export.")),
    };
}
