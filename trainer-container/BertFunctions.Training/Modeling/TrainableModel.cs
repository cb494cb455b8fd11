using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;
using BertFunctions.Training.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BertFunctions.Training.Modeling;

/// <summary>What one forward pass gives the loop: the loss and the logits.</summary>
/// <param name="Loss">Scalar loss (mean over masked tokens or over sequences).</param>
/// <param name="Logits">(N, V) at the N masked positions for MLM, (B, L) for classification; float32.</param>
/// <param name="Labels">The labels the loss was computed against: (N) for MLM, (B) for classification.</param>
public sealed record ForwardResult(Tensor Loss, Tensor Logits, Tensor Labels);

/// <summary>
/// A <see cref="BertForMaskedLM"/> or <see cref="BertForSequenceClassification"/> with what belongs to it (config,
/// vocabulary, labels), behind one forward method so the loop does not care which task it trains.
/// </summary>
public sealed class TrainableModel : IDisposable
{
    /// <summary>Wraps <paramref name="module"/>.</summary>
    public TrainableModel(nn.Module module, BertConfig config, JobMode mode, string vocabulary, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is not (BertForMaskedLM or BertForSequenceClassification))
        {
            throw new ArgumentException($"expected a BertForMaskedLM or BertForSequenceClassification, got {module.GetType().Name}", nameof(module));
        }

        Module = module;
        Config = config;
        Mode = mode;
        Vocabulary = vocabulary;
        Labels = labels;
    }

    /// <summary>The network.</summary>
    public nn.Module Module { get; }

    /// <summary>Its HF config.</summary>
    public BertConfig Config { get; }

    /// <summary>MLM, or classification (also for evaluate jobs of classifiers).</summary>
    public JobMode Mode { get; }

    /// <summary>True for a sequence classifier.</summary>
    public bool IsClassifier => Module is BertForSequenceClassification;

    /// <summary>The text of the vocab.txt it reads.</summary>
    public string Vocabulary { get; }

    /// <summary>Class names (classifiers).</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>Every trainable parameter once, with its HF name (tied MLM decoder aliases excluded).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() => Module.named_parameters().Where(p => p.parameter.requires_grad);

    /// <summary>Whether the encoder is frozen (<see cref="FreezeEncoder"/>).</summary>
    public bool EncoderFrozen { get; private set; }

    /// <summary>
    /// A model that trains its head only: the encoder's weights get no gradient (and so no optimizer state) and it runs
    /// in eval mode, without dropout, so the head sees fixed features. A classifier: logistic regression on frozen
    /// embeddings. An MLM model: the head's transform and bias fitted to the encoder before adapting it (its decoder is
    /// the frozen word embedding).
    /// </summary>
    public void FreezeEncoder()
    {
        var encoder = Encoder;
        foreach (var parameter in encoder.parameters())
        {
            parameter.requires_grad = false;
        }

        EncoderFrozen = true;
        encoder.eval();
    }

    /// <summary>Training mode for the next step: dropout on, except in a frozen encoder.</summary>
    public void Train()
    {
        Module.train();
        if (EncoderFrozen)
        {
            Encoder.eval();
        }
    }

    private BertModel Encoder => Module is BertForMaskedLM mlm ? mlm.Bert : ((BertForSequenceClassification)Module).Bert;

    /// <summary>Runs <paramref name="batch"/> on <paramref name="device"/>; tensors land in the caller's dispose scope.</summary>
    public ForwardResult Forward(Batch batch, Device device)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (ids, mask, labels) = batch.ToTensors(device);
        return Module switch
        {
            BertForMaskedLM mlm => mlm.forward(ids, mask, null, labels) is { Loss: { } loss, Labels: { } masked } o ? new ForwardResult(loss, o.Logits, masked) : throw new InvalidOperationException("no loss"),
            BertForSequenceClassification clf => clf.forward(ids, mask, null, labels) is { Loss: { } loss } o ? new ForwardResult(loss, o.Logits, labels) : throw new InvalidOperationException("no loss"),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => Module.Dispose();
}
