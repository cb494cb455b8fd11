using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Which arm of an experiment is offered for promotion: the best seed (on validation) of the best strategy (on
/// validation) at the largest budget. The TF-IDF baseline can win but is not served: then nothing is offered, and the
/// experiment says why.
/// </summary>
public static class ExperimentWinner
{
    /// <summary>The arm to offer (<see cref="Choice.Candidate"/>), the baseline's refusal (<see cref="Choice.NotServed"/>), or neither when no packaged arm won.</summary>
    public sealed record Choice(ArmResult? Candidate, ExperimentPromotion? NotServed);

    /// <summary>Why a winning baseline is not promoted.</summary>
    public const string BaselineNotServed = "the TF-IDF baseline is best on validation at the largest budget; it is not served by this pipeline, so nothing was promoted (serve a BERT arm only if its cost is worth it)";

    /// <summary>The choice for <paramref name="result"/>, arms ranked on <paramref name="metric"/>, the model named <paramref name="model"/>.</summary>
    public static Choice Pick(ExperimentResult result, string metric, string model)
    {
        ArgumentNullException.ThrowIfNull(result);
        // 0 is "all": the largest budget there is.
        var largest = result.Summaries.Select(s => s.Budget).OrderBy(b => b == 0 ? int.MaxValue : b).LastOrDefault();
        var winner = ExperimentSummary.Verdicts(result.Summaries).FirstOrDefault(v => v.Budget == largest)?.Best;
        if (winner?.Strategy == TrainingStrategy.Baseline)
        {
            var best = BestSeed(result.Arms.Where(a => a.Strategy == TrainingStrategy.Baseline && a.Budget == largest), metric);
            return new Choice(null, new ExperimentPromotion(best?.JobId ?? "", model, false, BaselineNotServed, null));
        }

        var candidate = winner is null ? null : BestSeed(result.Arms.Where(a => a.Strategy == winner.Strategy && a.Budget == largest && a.ModelPackage is not null), metric);
        return new Choice(candidate, null);
    }

    private static ArmResult? BestSeed(IEnumerable<ArmResult> arms, string metric) =>
        arms.MaxBy(a => a.Metrics.GetValueOrDefault(metric, double.NegativeInfinity));
}
