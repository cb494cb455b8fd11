using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>What <see cref="BertForSequenceClassification"/> returns.</summary>
/// <param name="Logits">(B, num_labels) class scores.</param>
/// <param name="Loss">Cross-entropy (MSE when num_labels is 1, as in HF), when labels were given.</param>
public sealed record SequenceClassifierOutput(Tensor Logits, Tensor? Loss);

/// <summary>
/// BERT with a classifier on a pooled vector (HF <c>BertForSequenceClassification</c>): <c>bert.*</c>, <c>classifier.*</c>.
/// The pooled vector is HF's pooler on [CLS], or, with <see cref="BertConfig.MeanPooling"/>, the mean of the real
/// tokens' hidden states (then the encoder has no pooler).
/// </summary>
public sealed class BertForSequenceClassification : Module<Tensor, Tensor?, Tensor?, Tensor?, SequenceClassifierOutput>, IMixedPrecision
{
    private readonly BertModel bert;
    private readonly Dropout dropout;
    private readonly Linear classifier;
    // Plain numbers, not a Tensor field: a Tensor field would be registered as a buffer and leak into the state dict.
    private readonly float[]? classWeights;

    /// <summary>A randomly initialised model (HF's init) of <paramref name="config"/> with <see cref="BertConfig.LabelCount"/> classes.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="classWeights">Optional (num_labels) weights of the cross-entropy, e.g. inverse class frequencies. Not a parameter: never saved.</param>
    public BertForSequenceClassification(BertConfig config, IReadOnlyList<float>? classWeights = null) : base(nameof(BertForSequenceClassification))
    {
        ArgumentNullException.ThrowIfNull(config);
        bert = new BertModel(config, addPoolingLayer: !config.MeanPooling);
        dropout = Dropout(config.ClassifierDropout ?? config.HiddenDropoutProb);
        classifier = Linear(config.HiddenSize, config.LabelCount);
        if (classWeights is not null && classWeights.Count != config.LabelCount)
        {
            throw new ArgumentException($"classWeights has {classWeights.Count} entries, expected num_labels = {config.LabelCount}.", nameof(classWeights));
        }

        this.classWeights = classWeights?.ToArray();
        RegisterComponents();
        BertInitialization.Apply(classifier, config);
    }

    /// <summary>The encoder.</summary>
    public BertModel Bert => bert;

    /// <inheritdoc />
    public ScalarType? ComputeDtype { get; set; }

    /// <summary>Classifies each sequence by its pooled vector; with <paramref name="labels"/> (B) int64 also the loss.</summary>
    public override SequenceClassifierOutput forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null, Tensor? labels = null)
    {
        var encoded = bert.forward(inputIds, attentionMask, tokenTypeIds);                  // (B, T, C), (B, C) or none
        var pooled = bert.HasPooler
            ? encoded.PoolerOutput!                                                          // (B, C) tanh(dense([CLS]))
            : SentenceEmbedding.Mean(encoded.LastHiddenState, attentionMask ?? ones_like(inputIds)); // (B, C) mean of real tokens
        var logits = MixedPrecision.ToFloat32(MixedPrecision.Linear(classifier, dropout.forward(pooled), ComputeDtype), ComputeDtype); // (B, L)
        return new SequenceClassifierOutput(logits, labels is null ? null : Loss(logits, labels));
    }

    private Tensor Loss(Tensor logits, Tensor labels) => logits.shape[1] == 1
        ? functional.mse_loss(logits.squeeze(1), labels.to(logits.dtype))
        : functional.cross_entropy(logits, labels, weight: classWeights is null ? null : tensor(classWeights, dtype: logits.dtype, device: logits.device));
}
