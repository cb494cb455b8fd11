using System.Text.Json;

namespace BertFunctions.Training.Checkpoints;

/// <summary>
/// <c>trainer_state.json</c>: everything besides weights and moments that a resumed run needs to continue exactly
/// where the interrupted one was.
/// </summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="WarmupSteps">Warm-up steps of the schedule.</param>
/// <param name="Epoch">Data position: epoch.</param>
/// <param name="ExamplesConsumed">Data position: examples of that epoch consumed.</param>
/// <param name="DataOrderSeed">The job seed the epoch orders derive from (the data PRNG has no other state).</param>
/// <param name="TorchRngState">torch.get_rng_state() as base64 (CPU generator).</param>
/// <param name="BestMetric">Best validation value of the early-stopping metric so far.</param>
/// <param name="EvaluationsWithoutImprovement">Early-stopping counter.</param>
/// <param name="Tokens">Real tokens trained on so far.</param>
/// <param name="LossCurve">Per-step losses so far.</param>
/// <param name="Evaluations">Validation results so far.</param>
/// <param name="TrainSeconds">Wall time spent in the training loop so far, over all attempts (0 in checkpoints older than the field).</param>
/// <param name="BestStep">The step of <paramref name="BestMetric"/>; its weights are <see cref="CheckpointFiles.Best"/> when it is not this step.</param>
public sealed record TrainerState(
    long Step,
    long TotalSteps,
    long WarmupSteps,
    int Epoch,
    long ExamplesConsumed,
    int DataOrderSeed,
    string TorchRngState,
    double? BestMetric,
    int EvaluationsWithoutImprovement,
    long Tokens,
    IReadOnlyList<LossPoint> LossCurve,
    IReadOnlyList<EvaluationPoint> Evaluations,
    double TrainSeconds = 0,
    long? BestStep = null)
{
    /// <summary>Writes the file.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, CheckpointManifest.JsonOptions));

    /// <summary>Reads the file.</summary>
    public static TrainerState Read(string path) =>
        JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), CheckpointManifest.JsonOptions) ?? throw new InvalidDataException($"{path} is empty");
}
