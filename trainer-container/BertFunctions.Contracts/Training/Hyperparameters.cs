namespace BertFunctions.Contracts.Training;

/// <summary>Training hyperparameters; defaults follow common BERT fine-tuning practice.</summary>
public sealed record Hyperparameters
{
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>Examples per optimizer step = BatchSize × GradientAccumulationSteps.</summary>
    public int BatchSize { get; init; } = 32;

    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Passes over the training split; ignored when <see cref="MaxSteps"/> is set.</summary>
    public double Epochs { get; init; } = 3;

    public long? MaxSteps { get; init; }

    /// <summary>
    /// Classification: a label budget. Train on this many examples of the training split (stratified by label, drawn
    /// by the job's seed); validation and test stay whole. Null: all of it.
    /// </summary>
    public int? TrainExamples { get; init; }

    /// <summary>Linear warm-up over this fraction of the steps, then linear decay to zero.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>Decoupled (AdamW) weight decay; never applied to biases and LayerNorm weights.</summary>
    public double WeightDecay { get; init; } = 0.01;

    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Overrides of the model's dropout probabilities.</summary>
    public double? HiddenDropout { get; init; }

    public double? AttentionDropout { get; init; }

    /// <summary>
    /// Classification: weight the loss by inverse class frequency (imbalanced labels). Null: not set, which the trainer
    /// reads as false; a training run turns it on by default when its training split is imbalanced (docs/pipeline.md),
    /// and only when it is null, so a value the user set is theirs.
    /// </summary>
    public bool? ClassWeights { get; init; }

    public long EvalEverySteps { get; init; } = 200;

    /// <summary>
    /// Examples per evaluation batch (HF's <c>per_device_eval_batch_size</c>); null: <see cref="BatchSize"/>. Larger
    /// is not faster on a CPU: at 128 a real job's evaluation took twice as long per example as at 32, because its
    /// largest activations outgrow the allocator's mmap threshold and every batch faults them in anew
    /// (docs/benchmarks.md).
    /// </summary>
    public int? EvalBatchSize { get; init; }

    /// <summary>Stop when the validation metric has not improved for this many evaluations; null: never.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// The validation metric that makes an evaluation the best so far, for early stopping and <see cref="KeepBest"/>:
    /// <c>loss</c>, or for classification <c>accuracy</c> / <c>macro_f1</c>.
    /// </summary>
    public string EarlyStoppingMetric { get; init; } = "loss";

    /// <summary>
    /// End with the weights of the best validation evaluation (by <see cref="EarlyStoppingMetric"/>) when one during
    /// training beat the final one, as HF's <c>load_best_model_at_end</c>; the test split is then scored on those
    /// weights, and they are what the final checkpoint and the model package hold. On by default: a job that
    /// overfits or diverges late should not ship its last step.
    /// </summary>
    public bool KeepBest { get; init; } = true;

    /// <summary>
    /// How a new classification head pools the encoder: <c>mean</c> (default: the mean of the real tokens' hidden
    /// states, how sentence-transformers trained MiniLM, and the same head for every strategy, since an MLM checkpoint
    /// or a model from scratch has no trained pooler) or <c>cls</c> (HF BERT's pooler on [CLS]). A classifier that
    /// continues from a classifier keeps its own.
    /// </summary>
    public string ClassifierPooling { get; init; } = "mean";

    /// <summary>
    /// Train the head only, on the frozen encoder (no gradient, no dropout). Classification: logistic regression on the
    /// base model's embeddings, the few-shot floor a careful user tries first. MLM: fit a new MLM head to a pretrained
    /// encoder before adapting it, so that the adaptation's gains are measured from a fitted head.
    /// </summary>
    public bool FreezeEncoder { get; init; }

    /// <summary>
    /// Classification: batch examples of similar length together (windows of 50 batches sorted by length, batch order
    /// shuffled), so batches, padded to their longest sequence, hold less padding. Deterministic per seed. Off by
    /// default, as in HF: where length goes with the label, grouped batches are lopsided (measured on Spam Assassin:
    /// padding 4.6 % → 0.8 % of positions, but test macro-F1 0.9740 → 0.9675 after 100 steps; docs/results.md).
    /// </summary>
    public bool GroupByLength { get; init; }

    /// <summary>MLM: re-mask every batch (RoBERTa style) instead of using the shards' static masks.</summary>
    public bool DynamicMasking { get; init; }

    public long CheckpointEverySteps { get; init; } = 500;

    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>CPU threads (0: all cores).</summary>
    public int Threads { get; init; }

    /// <summary><c>auto</c> (CUDA when present), <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// The dtype of the matmuls: <c>fp32</c>, <c>bf16</c> (mixed precision: float32 master weights, optimizer state,
    /// LayerNorm and loss; bfloat16 linear layers and attention), or <c>auto</c>: bf16 where the device computes it
    /// natively (CPUs with AVX-512 BF16 or AMX, CUDA devices of compute capability 8.0 or more), else fp32.
    /// </summary>
    public string Precision { get; init; } = "auto";

    public void Validate()
    {
        static void Require(bool ok, string field, object? value, string rule) => TrainingJobSpec.Require(ok, "hyperparameters." + field, value, rule);
        Require(LearningRate is > 0 and < 1, "learning_rate", LearningRate, "between 0 and 1");
        Require(BatchSize is >= 1 and <= 4096, "batch_size", BatchSize, "1-4096");
        Require(GradientAccumulationSteps is >= 1 and <= 1024, "gradient_accumulation_steps", GradientAccumulationSteps, "1-1024");
        Require(Epochs > 0, "epochs", Epochs, "positive");
        Require(MaxSteps is null or > 0, "max_steps", MaxSteps, "positive");
        Require(TrainExamples is null or > 0, "train_examples", TrainExamples, "positive");
        Require(WarmupRatio is >= 0 and < 1, "warmup_ratio", WarmupRatio, "in [0, 1)");
        Require(WeightDecay is >= 0 and < 1, "weight_decay", WeightDecay, "in [0, 1)");
        Require(MaxGradNorm > 0, "max_grad_norm", MaxGradNorm, "positive");
        Require(HiddenDropout is null or (>= 0 and < 1), "hidden_dropout", HiddenDropout, "in [0, 1)");
        Require(AttentionDropout is null or (>= 0 and < 1), "attention_dropout", AttentionDropout, "in [0, 1)");
        Require(EvalEverySteps > 0, "eval_every_steps", EvalEverySteps, "positive");
        Require(EvalBatchSize is null or (>= 1 and <= 4096), "eval_batch_size", EvalBatchSize, "1-4096");
        Require(EarlyStoppingPatience is null or > 0, "early_stopping_patience", EarlyStoppingPatience, "positive");
        Require(EarlyStoppingMetric is "loss" or "accuracy" or "macro_f1", "early_stopping_metric", EarlyStoppingMetric, "loss, accuracy or macro_f1");
        Require(ClassifierPooling is "mean" or "cls", "classifier_pooling", ClassifierPooling, "mean or cls");
        Require(CheckpointEverySteps > 0, "checkpoint_every_steps", CheckpointEverySteps, "positive");
        Require(KeepCheckpoints is >= 1 and <= 100, "keep_checkpoints", KeepCheckpoints, "1-100");
        Require(Threads is >= 0 and <= 1024, "threads", Threads, "0-1024");
        Require(Device is "auto" or "cpu" or "cuda", "device", Device, "auto, cpu or cuda");
        Require(Precision is "auto" or "fp32" or "bf16", "precision", Precision, "auto, fp32 or bf16");
    }
}
