using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>Multi-head self-attention (HF <c>attention.self</c>): query, key and value projections and scaled dot-product attention.</summary>
public sealed class BertSelfAttention : Module<Tensor, Tensor, Tensor>, IMixedPrecision
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly int numHeads;
    private readonly double attentionDropout;

    /// <summary>Creates the projections of <paramref name="config"/>.</summary>
    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        query = Linear(config.HiddenSize, config.HiddenSize);
        key = Linear(config.HiddenSize, config.HiddenSize);
        value = Linear(config.HiddenSize, config.HiddenSize);
        numHeads = config.NumAttentionHeads;
        attentionDropout = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>Attends (B, T, C) to itself; <paramref name="mask"/> is boolean (B, 1, 1, T), true where a key may be attended to.</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
        var input = ComputeDtype is { } dtype ? x.to(dtype) : x; // cast once for the three projections
        Tensor Heads(Linear projection) => MixedPrecision.Linear(projection, input, ComputeDtype).view(b, t, numHeads, c / numHeads).transpose(1, 2); // (B, nh, T, hs)
        var (q, k, v) = (Heads(query), Heads(key), Heads(value));
        // In bf16 the kernel keeps its softmax statistics (running max and sum) in float32, as PyTorch's CPU and CUDA kernels do.
        var y = functional.scaled_dot_product_attention(q, k, v, mask, training ? attentionDropout : 0); // (B, nh, T, hs)
        return y.transpose(1, 2).contiguous().view(b, t, c); // (B, T, C)
    }
}

/// <summary>HF <c>attention.output</c>: projection, dropout, residual, LayerNorm.</summary>
public sealed class BertSelfOutput : Module<Tensor, Tensor, Tensor>, IMixedPrecision
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    /// <summary>Creates the projection of <paramref name="config"/>.</summary>
    public BertSelfOutput(BertConfig config) : base(nameof(BertSelfOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = Linear(config.HiddenSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>LayerNorm(dropout(dense(h)) + residual), all (B, T, C); the sum with the float32 residual is float32.</summary>
    public override Tensor forward(Tensor hidden, Tensor residual) =>
        LayerNorm.forward(MixedPrecision.ToFloat32(dropout.forward(MixedPrecision.Linear(dense, hidden, ComputeDtype)) + residual, ComputeDtype));
}

/// <summary>HF <c>attention</c>: <c>self</c> then <c>output</c>.</summary>
public sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention self;
    private readonly BertSelfOutput output;

    /// <summary>Creates the attention block of <paramref name="config"/>.</summary>
    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config);
        output = new BertSelfOutput(config);
        RegisterComponents();
    }

    /// <summary>(B, T, C) to (B, T, C).</summary>
    public override Tensor forward(Tensor x, Tensor mask) => output.forward(self.forward(x, mask), x);
}
