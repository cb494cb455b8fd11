using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>HF <c>intermediate</c>: the widening half of the feed-forward block.</summary>
public sealed class BertIntermediate : Module<Tensor, Tensor>, IMixedPrecision
{
    private readonly Linear dense;
    private readonly Func<Tensor, Tensor> activation;

    /// <summary>Creates the layer of <paramref name="config"/>.</summary>
    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = Linear(config.HiddenSize, config.IntermediateSize);
        activation = Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>(B, T, C) to (B, T, I), in the compute dtype.</summary>
    public override Tensor forward(Tensor x) => activation(MixedPrecision.Linear(dense, x, ComputeDtype));
}

/// <summary>HF <c>output</c>: the narrowing half of the feed-forward block, dropout, residual, LayerNorm.</summary>
public sealed class BertOutput : Module<Tensor, Tensor, Tensor>, IMixedPrecision
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    /// <summary>Creates the layer of <paramref name="config"/>.</summary>
    public BertOutput(BertConfig config) : base(nameof(BertOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = Linear(config.IntermediateSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>LayerNorm(dropout(dense(h)) + residual): h (B, T, I), residual and result (B, T, C), the result float32.</summary>
    public override Tensor forward(Tensor hidden, Tensor residual) =>
        LayerNorm.forward(MixedPrecision.ToFloat32(dropout.forward(MixedPrecision.Linear(dense, hidden, ComputeDtype)) + residual, ComputeDtype));
}

/// <summary>One encoder layer (HF <c>encoder.layer.N</c>): attention, then feed-forward.</summary>
public sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertOutput output;

    /// <summary>Creates the layer of <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertOutput(config);
        RegisterComponents();
    }

    /// <summary>(B, T, C) to (B, T, C).</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        var a = attention.forward(x, mask);            // (B, T, C)
        return output.forward(intermediate.forward(a), a); // (B, T, C)
    }
}

/// <summary>HF <c>encoder</c>: the stack of <see cref="BertLayer"/>s, named <c>layer.N</c>.</summary>
public sealed class BertEncoder : Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    /// <summary>Creates <see cref="BertConfig.NumHiddenLayers"/> layers.</summary>
    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>(B, T, C) to (B, T, C).</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        foreach (var block in layer)
        {
            x = block.forward(x, mask);
        }

        return x;
    }
}

/// <summary>HF <c>pooler</c>: tanh(dense(hidden state of [CLS])).</summary>
public sealed class BertPooler : Module<Tensor, Tensor>, IMixedPrecision
{
    private readonly Linear dense;

    /// <summary>Creates the pooler of <paramref name="config"/>.</summary>
    public BertPooler(BertConfig config) : base(nameof(BertPooler))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>(B, T, C) to (B, C), in the compute dtype.</summary>
    public override Tensor forward(Tensor x) => MixedPrecision.Linear(dense, x.select(1, 0), ComputeDtype).tanh(); // (B, C) from [CLS]
}
