using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Evaluation;

namespace BertFunctions.Training.Reporting;

/// <summary>The detailed metrics of one split (classification: per-class and the confusion matrix).</summary>
public sealed record SplitReport(IReadOnlyDictionary<string, double> Metrics, ClassificationMetrics? Classification);

/// <summary>
/// <c>metrics.json</c> (snake_case): final metrics per split, the loss curve, the evaluations during training and the
/// cost; <c>selected_step</c> is the step whose weights the job ended with (keep_best; the last step otherwise).
/// </summary>
public sealed record MetricsFile(
    string JobId,
    string Mode,
    long Steps,
    IReadOnlyList<string>? Labels,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, SplitReport> Splits,
    IReadOnlyList<LossPoint> LossCurve,
    IReadOnlyList<EvaluationPoint> Evaluations,
    JobCost? Cost = null,
    long? SelectedStep = null)
{
    /// <summary>Writes the file.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, CheckpointManifest.JsonOptions));
}
