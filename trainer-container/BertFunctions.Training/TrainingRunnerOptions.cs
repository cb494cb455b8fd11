namespace BertFunctions.Training;

/// <summary>How the runner behaves, independent of any one job.</summary>
public sealed record TrainingRunnerOptions
{
    /// <summary>Where checkpoints are staged and base models downloaded; a fresh folder per job below it. Default: the temp folder.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Shortest interval between two Progress events (the first and last step are always reported).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Test hook: makes the loss of the given optimizer step (1-based) NaN, to exercise the failure path.</summary>
    internal Func<long, bool>? InjectNonFiniteLoss { get; init; }

    /// <summary>Test hook: called after each optimizer step (1-based) with the model, e.g. to spoil its last step on purpose.</summary>
    internal Action<long, TorchSharp.torch.nn.Module>? AfterStep { get; init; }
}
