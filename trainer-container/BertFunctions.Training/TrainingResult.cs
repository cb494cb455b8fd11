using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;
using TorchSharp;

namespace BertFunctions.Training;

/// <summary>One point of the training curve.</summary>
/// <param name="Step">Optimizer step (1-based).</param>
/// <param name="Loss">Mean training loss of the step's micro-batches.</param>
/// <param name="LearningRate">The peak-group learning rate used.</param>
public sealed record LossPoint(long Step, double Loss, double LearningRate);

/// <summary>One evaluation on the validation split.</summary>
/// <param name="Step">Optimizer step after which it ran.</param>
/// <param name="Metrics">Metrics by name, e.g. <c>loss</c>, <c>accuracy</c>, <c>macro_f1</c>, <c>perplexity</c>.</param>
public sealed record EvaluationPoint(long Step, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// What a job produced. On success it holds the trained model (CPU, eval mode), its config, vocabulary and labels,
/// so a <see cref="IModelPackageWriter"/> can package it; dispose it to free the model.
/// </summary>
public sealed class TrainingResult : IDisposable
{
    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>True when training (or evaluation) finished.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Why it failed (one line); null on success.</summary>
    public string? Error { get; init; }

    /// <summary>MLM or classification.</summary>
    public JobMode Mode { get; init; }

    /// <summary>Optimizer steps done in total (including those before a resume).</summary>
    public long Steps { get; init; }

    /// <summary>Checkpoint resumed from, if any: <c>checkpoints/{job}/step-NNNNNNNN/</c>.</summary>
    public string? ResumedFrom { get; init; }

    /// <summary>The last checkpoint written (with metrics.json and training-curve.png beside the weights).</summary>
    public string? FinalCheckpoint { get; init; }

    /// <summary>Final metrics, e.g. <c>validation.macro_f1</c>, <c>test.accuracy</c>, <c>validation.perplexity</c>.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Per-step training losses.</summary>
    public IReadOnlyList<LossPoint> LossCurve { get; init; } = [];

    /// <summary>Validation evaluations during training.</summary>
    public IReadOnlyList<EvaluationPoint> Evaluations { get; init; } = [];

    /// <summary>The trained model (a <see cref="BertForMaskedLM"/> or <see cref="BertForSequenceClassification"/>), CPU, eval mode.</summary>
    public torch.nn.Module? Model { get; init; }

    /// <summary>Its HF config (with id2label/label2id for classifiers).</summary>
    public BertConfig? Config { get; init; }

    /// <summary>The text of its <c>vocab.txt</c>.</summary>
    public string? Vocabulary { get; init; }

    /// <summary>Class names in id order (classification).</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Local copy of metrics.json.</summary>
    public string? MetricsFile { get; init; }

    /// <summary>Local copy of the training-curve PNG.</summary>
    public string? CurveImage { get; init; }

    /// <summary>Where the model package went, when one was written.</summary>
    public string? ModelPackage { get; init; }

    /// <summary>The same result, with the package it was written to (the model is shared, not copied).</summary>
    public TrainingResult WithPackage(string package) => new()
    {
        JobId = JobId, Succeeded = Succeeded, Error = Error, Mode = Mode, Steps = Steps, ResumedFrom = ResumedFrom, FinalCheckpoint = FinalCheckpoint,
        Metrics = Metrics, LossCurve = LossCurve, Evaluations = Evaluations, Model = Model, Config = Config, Vocabulary = Vocabulary, Labels = Labels,
        MetricsFile = MetricsFile, CurveImage = CurveImage, ModelPackage = package,
    };

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model?.Dispose();
}
