using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>What <see cref="BertForMaskedLM"/> returns.</summary>
/// <param name="Logits">
/// Without labels: (B, T, V) scores over the vocabulary at every position, as HF returns them. With labels: (N, V),
/// float32, only at the N positions whose label is not -100, in row-major order (see <paramref name="Labels"/>).
/// </param>
/// <param name="Loss">Mean cross-entropy over positions whose label is not -100, when labels were given.</param>
/// <param name="Labels">(N) the labels of the rows of <paramref name="Logits"/>, when labels were given.</param>
public sealed record MaskedLMOutput(Tensor Logits, Tensor? Loss, Tensor? Labels = null);

/// <summary>HF <c>cls.predictions.transform</c>: dense, activation, LayerNorm.</summary>
public sealed class BertPredictionHeadTransform : Module<Tensor, Tensor>, IMixedPrecision
{
    private readonly Linear dense;
    private readonly Func<Tensor, Tensor> activation;
    private readonly LayerNorm LayerNorm;

    /// <summary>Creates the transform of <paramref name="config"/>.</summary>
    public BertPredictionHeadTransform(BertConfig config) : base(nameof(BertPredictionHeadTransform))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = Linear(config.HiddenSize, config.HiddenSize);
        activation = Activations.Get(config.HiddenAct);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>(..., C) to (..., C), float32 (LayerNorm's output).</summary>
    public override Tensor forward(Tensor x) => LayerNorm.forward(MixedPrecision.ToFloat32(activation(MixedPrecision.Linear(dense, x, ComputeDtype)), ComputeDtype));
}

/// <summary>
/// HF <c>cls.predictions</c>: transform, then a decoder whose weight IS the word embedding table and whose bias
/// IS <c>cls.predictions.bias</c> (both tied, as in HF, so <c>decoder.weight</c> and <c>decoder.bias</c> are never saved).
/// </summary>
public sealed class BertLMPredictionHead : Module<Tensor, Tensor>, IMixedPrecision
{
    private readonly BertPredictionHeadTransform transform;
    private Linear decoder;
    private readonly Parameter bias;

    /// <summary>Creates the head, tying its decoder to <paramref name="wordEmbeddings"/>.</summary>
    public BertLMPredictionHead(BertConfig config, Embedding wordEmbeddings) : base(nameof(BertLMPredictionHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(wordEmbeddings);
        transform = new BertPredictionHeadTransform(config);
        var embeddings = wordEmbeddings.weight!;
        bias = new Parameter(zeros(config.VocabSize, dtype: embeddings.dtype, device: embeddings.device));
        decoder = Linear(1, 1, hasBias: false);
        decoder.weight = embeddings;                                         // tied: one tensor, two names
        decoder.bias = bias;                                                 // tied too, as in HF
        RegisterComponents();
    }

    /// <summary>The decoder, whose weight is the word embedding table.</summary>
    public Linear Decoder => decoder;

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>
    /// Points the decoder at the word embedding table and <c>cls.predictions.bias</c>: one tensor, two names each,
    /// as in HF. TorchSharp moves and casts each module's parameters on its own and frees what it replaces, so a
    /// shared tensor cannot survive a move: <see cref="BertForMaskedLM"/> unties before a move and ties after it.
    /// </summary>
    internal void Tie(Embedding wordEmbeddings) => ReplaceDecoder(wordEmbeddings.weight!, bias);

    /// <summary>Gives the decoder a 1x1 placeholder of its own, so that a move touches each shared tensor once.</summary>
    internal void Untie() => ReplaceDecoder(null, null);

    private void ReplaceDecoder(Parameter? weight, Parameter? sharedBias)
    {
        // The old Linear is dropped, not disposed: it holds the shared tensors, and disposing it would free them.
        register_module(nameof(decoder), null!);
        decoder = Linear(1, 1, hasBias: false);
        if (weight is not null)
        {
            decoder.weight = weight; // frees the placeholder
            decoder.bias = sharedBias;
        }

        register_module(nameof(decoder), decoder);
    }

    /// <summary>(..., C) to (..., V) in the compute dtype.</summary>
    public override Tensor forward(Tensor x) => MixedPrecision.Linear(decoder, transform.forward(x), ComputeDtype);
}

/// <summary>HF <c>cls</c> of a masked LM: only <c>predictions</c>.</summary>
public sealed class BertOnlyMLMHead : Module<Tensor, Tensor>
{
    private readonly BertLMPredictionHead predictions;

    /// <summary>Creates the head, tying its decoder to <paramref name="wordEmbeddings"/>.</summary>
    public BertOnlyMLMHead(BertConfig config, Embedding wordEmbeddings) : base(nameof(BertOnlyMLMHead))
    {
        predictions = new BertLMPredictionHead(config, wordEmbeddings);
        RegisterComponents();
    }

    /// <summary>The prediction head.</summary>
    public BertLMPredictionHead Predictions => predictions;

    /// <summary>(B, T, C) to (B, T, V).</summary>
    public override Tensor forward(Tensor x) => predictions.forward(x);
}

/// <summary>BERT with a masked-language-model head (HF <c>BertForMaskedLM</c>): <c>bert.*</c> without pooler, <c>cls.predictions.*</c>.</summary>
public sealed class BertForMaskedLM : Module<Tensor, Tensor?, Tensor?, Tensor?, MaskedLMOutput>, ITiedWeights
{
    /// <summary>Label value whose positions the loss ignores (HF and PyTorch convention).</summary>
    public const long IgnoreIndex = -100;

    private readonly BertModel bert;
    private readonly BertOnlyMLMHead cls;

    /// <summary>A randomly initialised model (HF's init) of <paramref name="config"/>.</summary>
    public BertForMaskedLM(BertConfig config) : base(nameof(BertForMaskedLM))
    {
        bert = new BertModel(config, addPoolingLayer: false);
        cls = new BertOnlyMLMHead(config, bert.Embeddings.WordEmbeddings);
        RegisterComponents();
        BertInitialization.Apply(cls, config);
    }

    /// <summary>The encoder.</summary>
    public BertModel Bert => bert;

    /// <summary>The MLM head.</summary>
    public BertOnlyMLMHead Cls => cls;

    /// <inheritdoc />
    public IReadOnlyList<string> TiedKeys { get; } = ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"];

    /// <summary>Every parameter once: the tied decoder aliases are left out, as PyTorch's <c>remove_duplicate</c> does, so an optimiser never updates a tensor twice per step.</summary>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) =>
        base.named_parameters(recurse).Where(p => !TiedKeys.Contains(p.name));

    /// <summary>Every parameter once (see <see cref="named_parameters"/>).</summary>
    public override IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    /// <summary>
    /// Without labels, scores every position (HF's output). With <paramref name="labels"/> (B, T), only the labelled
    /// positions go through the head: the vocabulary projection costs more per position than the whole encoder at
    /// MiniLM's shapes, and only about 15 % of positions have a label. The loss is the same either way.
    /// </summary>
    public override MaskedLMOutput forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null, Tensor? labels = null)
    {
        var h = bert.forward(inputIds, attentionMask, tokenTypeIds).LastHiddenState; // (B, T, C)
        if (labels is null)
        {
            return new MaskedLMOutput(cls.forward(h), null);                           // (B, T, V)
        }

        var flat = labels.view(-1);                                                   // (B·T)
        var at = flat.ne(IgnoreIndex).nonzero().squeeze(1);                           // (N) labelled positions
        var target = flat.index_select(0, at);                                        // (N)
        var hidden = h.view(-1, h.shape[^1]).index_select(0, at);                     // (N, C)
        var logits = MixedPrecision.ToFloat32(cls.forward(hidden), cls.Predictions.ComputeDtype); // (N, V)
        return new MaskedLMOutput(logits, functional.cross_entropy(logits, target), target);
    }

    /// <summary>
    /// Moves or casts the model with its ties intact. TorchSharp replaces each module's parameters one module at a time,
    /// which would leave the decoder a separate, frozen copy (or a freed tensor): untie, move, tie again.
    /// </summary>
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        cls.Predictions.Untie();
        base._toEpilog(dtype, device, non_blocking);
        cls.Predictions.Tie(bert.Embeddings.WordEmbeddings);
    }
}
