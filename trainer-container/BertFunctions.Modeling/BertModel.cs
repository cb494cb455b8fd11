using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>What <see cref="BertModel"/> returns.</summary>
/// <param name="LastHiddenState">(B, T, C) token vectors of the last layer.</param>
/// <param name="PoolerOutput">(B, C) tanh(dense([CLS])), or null when the model has no pooler.</param>
public sealed record BertModelOutput(Tensor LastHiddenState, Tensor? PoolerOutput);

/// <summary>
/// The BERT encoder (HF <c>BertModel</c>): <c>embeddings</c>, <c>encoder</c> and an optional <c>pooler</c>.
/// Parameter names, and so <c>state_dict()</c> keys, are HF's. Runs on whatever device and dtype its parameters
/// and inputs are on; wrap calls in <c>torch.NewDisposeScope()</c> to free intermediate tensors promptly.
/// </summary>
public sealed class BertModel : Module<Tensor, Tensor?, Tensor?, BertModelOutput>
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;

    /// <summary>A randomly initialised model (HF's init) of <paramref name="config"/>.</summary>
    /// <param name="config">Validated on entry.</param>
    /// <param name="addPoolingLayer">False for MLM, whose checkpoints have no pooler.</param>
    public BertModel(BertConfig config, bool addPoolingLayer = true) : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        pooler = addPoolingLayer ? new BertPooler(config) : null;
        RegisterComponents(); // field names are the HF names

        BertInitialization.Apply(this, config);
    }

    /// <summary>The configuration the model was built from.</summary>
    public BertConfig Config { get; }

    /// <summary>The embedding layer (its word table is tied to the MLM decoder).</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary>Whether the model has a <c>pooler</c>.</summary>
    public bool HasPooler => pooler is not null;

    /// <summary>Encodes a batch.</summary>
    /// <param name="inputIds">(B, T) int64 token ids.</param>
    /// <param name="attentionMask">(B, T) 1 for real tokens, 0 for padding; null means no padding.</param>
    /// <param name="tokenTypeIds">(B, T) int64 segment ids; null means all zero.</param>
    public override BertModelOutput forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        tokenTypeIds ??= zeros_like(inputIds);
        attentionMask ??= ones_like(inputIds);
        var mask = AttentionMask.ForScaledDotProduct(attentionMask); // (B, 1, 1, T)
        var x = embeddings.forward(inputIds, tokenTypeIds);          // (B, T, C)
        x = encoder.forward(x, mask);                                // (B, T, C)
        return new BertModelOutput(x, pooler?.forward(x));           // (B, T, C), (B, C)
    }
}
