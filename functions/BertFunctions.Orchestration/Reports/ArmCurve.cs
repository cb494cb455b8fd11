namespace BertFunctions.Orchestration.Reports;

/// <summary>One job's curves from its metrics.json: training loss per step and the validation evaluations.</summary>
/// <param name="JobId">The trainer job.</param>
/// <param name="Loss">(step, training loss) per optimizer step.</param>
/// <param name="Validation">(step, metric name → value) per evaluation during training.</param>
public sealed record ArmCurve(string JobId, IReadOnlyList<(double Step, double Loss)> Loss, IReadOnlyList<(double Step, IReadOnlyDictionary<string, double> Metrics)> Validation)
{
    public static ArmCurve Empty(string jobId) => new(jobId, [], []);
}
