namespace BertFunctions.Training.Checkpoints;

/// <summary>File names inside a checkpoint folder <c>checkpoints/{job_id}/step-{n:D8}/</c>.</summary>
public static class CheckpointFiles
{
    /// <summary>Weights, HF names (tied aliases not duplicated).</summary>
    public const string Model = "model.safetensors";

    /// <summary>AdamW moments per parameter: <c>{name}.exp_avg</c>, <c>{name}.exp_avg_sq</c>.</summary>
    public const string Optimizer = "optimizer.safetensors";

    /// <summary>Index of <see cref="Optimizer"/>: groups, their hyperparameters, per-parameter step counts.</summary>
    public const string OptimizerIndex = "optimizer.json";

    /// <summary>keep_best: the weights of the best validation evaluation so far, when that was an earlier step than this one.</summary>
    public const string Best = "best.safetensors";

    /// <summary>Step, schedule, data position, RNG state, early stopping and the curves so far.</summary>
    public const string TrainerState = "trainer_state.json";

    /// <summary>The job spec that wrote the checkpoint (a resume must match it).</summary>
    public const string Spec = "spec.json";

    /// <summary>HF config.json of the model.</summary>
    public const string Config = "config.json";

    /// <summary>The model's vocab.txt.</summary>
    public const string Vocabulary = "vocab.txt";

    /// <summary>Class names of a classifier: a JSON array in id order.</summary>
    public const string Labels = "labels.json";

    /// <summary>Final checkpoint only: metrics of the run.</summary>
    public const string Metrics = "metrics.json";

    /// <summary>Final checkpoint only: loss and the eval metric against step.</summary>
    public const string Curve = "training-curve.png";

    /// <summary>SHA-256 and size of every other file; written after them.</summary>
    public const string Manifest = "manifest.json";

    /// <summary><c>{job_id}/latest.json</c>: the pointer to the newest complete checkpoint, written last.</summary>
    public const string Latest = "latest.json";

    /// <summary>The folder name of step <paramref name="step"/>.</summary>
    public static string StepFolder(long step) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step-{step:D8}");
}
