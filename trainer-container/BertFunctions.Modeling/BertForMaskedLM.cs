using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BertFunctions.Modeling;

/// <summary>What <see cref="BertForMaskedLM"/> returns.</summary>
/// <param name="Logits">(B, T, V) scores over the vocabulary.</param>
/// <param name="Loss">Mean cross-entropy over positions whose label is not -100, when labels were given.</param>
public sealed record MaskedLMOutput(Tensor Logits, Tensor? Loss);

/// <summary>HF <c>cls.predictions.transform</c>: dense, activation, LayerNorm.</summary>
public sealed class BertPredictionHeadTransform : Module<Tensor, Tensor>
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

    /// <summary>(B, T, C) to (B, T, C).</summary>
    public override Tensor forward(Tensor x) => LayerNorm.forward(activation(dense.forward(x)));
}

/// <summary>
/// HF <c>cls.predictions</c>: transform, then a decoder whose weight IS the word embedding table and whose bias
/// IS <c>cls.predictions.bias</c> (both tied, as in HF, so <c>decoder.weight</c> and <c>decoder.bias</c> are never saved).
/// </summary>
public sealed class BertLMPredictionHead : Module<Tensor, Tensor>
{
    private readonly BertPredictionHeadTransform transform;
    private readonly Linear decoder;
    private readonly Parameter bias;

    /// <summary>Creates the head, tying its decoder to <paramref name="wordEmbeddings"/>.</summary>
    public BertLMPredictionHead(BertConfig config, Embedding wordEmbeddings) : base(nameof(BertLMPredictionHead))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(wordEmbeddings);
        transform = new BertPredictionHeadTransform(config);
        decoder = Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        decoder.weight = wordEmbeddings.weight!;                             // tied: one tensor, two names
        bias = new Parameter(zeros(config.VocabSize, dtype: decoder.weight.dtype, device: decoder.weight.device));
        decoder.bias = bias;                                                 // tied too, as in HF
        RegisterComponents();
    }

    /// <summary>The decoder, whose weight is the word embedding table.</summary>
    public Linear Decoder => decoder;

    /// <summary>(B, T, C) to (B, T, V).</summary>
    public override Tensor forward(Tensor x) => decoder.forward(transform.forward(x));
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

    /// <summary>Scores every position; with <paramref name="labels"/> (B, T) also the loss.</summary>
    public override MaskedLMOutput forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null, Tensor? labels = null)
    {
        var h = bert.forward(inputIds, attentionMask, tokenTypeIds).LastHiddenState; // (B, T, C)
        var logits = cls.forward(h);                                                  // (B, T, V)
        var loss = labels is null
            ? null
            : functional.cross_entropy(logits.view(-1, logits.shape[^1]), labels.view(-1), ignore_index: IgnoreIndex);
        return new MaskedLMOutput(logits, loss);
    }
}
