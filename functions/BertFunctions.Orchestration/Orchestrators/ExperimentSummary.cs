using System.Globalization;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The arithmetic of an experiment's result: mean ± std over seeds, costs, the best strategy per budget and the
/// recommendation. Choices are made on the validation split; the test split is only reported, for what was chosen and
/// beside it, so that the figures users read are not the ones the choice was fitted to.
/// </summary>
public static class ExperimentSummary
{
    /// <summary>The metric the best strategy (and the seed offered for promotion) is chosen by.</summary>
    public const string SelectionMetric = "validation.macro_f1";

    /// <summary>The metric reported for the chosen strategy: measured on data no choice has seen.</summary>
    public const string ReportedMetric = "test.macro_f1";

    /// <summary>Mean ± std over seeds per (strategy, budget), mean fine-tuning cost, and the best strategy per budget by mean validation macro-F1.</summary>
    public static ExperimentResult Summarize(string id, string dataset, IReadOnlyDictionary<string, string> versions, IReadOnlyList<ArmResult> arms, IReadOnlyList<PretrainingResult>? pretraining = null)
    {
        ArgumentNullException.ThrowIfNull(arms);
        pretraining ??= [];
        var summaries = arms.GroupBy(a => (a.Strategy, a.Budget))
            .Select(g =>
            {
                var accuracy = g.Select(a => a.Metrics.GetValueOrDefault("test.accuracy", double.NaN)).ToList();
                var f1 = g.Select(a => a.Metrics.GetValueOrDefault(ReportedMetric, double.NaN)).ToList();
                var validation = g.Select(a => a.Metrics.GetValueOrDefault(SelectionMetric, double.NaN)).ToList();
                var pretrained = pretraining.FirstOrDefault(p => p.Strategy == g.Key.Strategy)?.Cost;
                return new ArmSummary(g.Key.Strategy, g.Key.Budget, g.Count(), Mean(accuracy), Std(accuracy), Mean(f1), Std(f1),
                    FineTuneTokensMean: Mean(g.Select(a => (double)(a.Cost?.Tokens ?? 0)).ToList()),
                    FineTuneSecondsMean: Mean(g.Select(a => a.Cost?.TrainSeconds ?? 0).ToList()),
                    PretrainingTokens: pretrained?.Tokens ?? 0,
                    PretrainingSeconds: pretrained?.TrainSeconds ?? 0,
                    ValidationMacroF1Mean: Mean(validation),
                    ValidationMacroF1Std: Std(validation));
            })
            .OrderBy(s => s.Budget == 0 ? int.MaxValue : s.Budget).ThenBy(s => s.Strategy)
            .ToList();
        var best = Verdicts(summaries).ToDictionary(v => LabelBudgets.Name(v.Budget), v => TrainingStrategyNames.Name(v.Best.Strategy));
        var costs = arms.Select(a => a.Cost).Concat(pretraining.Select(p => p.Cost)).OfType<JobCost>().ToList();
        var precisions = costs.Select(c => c.Precision).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var device = costs.Select(c => c.Device).FirstOrDefault() is { } d ? (precisions.Count == 0 ? d : $"{d}, {string.Join(" and ", precisions)}") : null;
        return new ExperimentResult(id, dataset, versions, arms, summaries, best, Recommend(summaries), pretraining, device);
    }

    /// <summary>
    /// The best strategy at one budget by mean validation macro-F1, and the runner-up. With a paired test of the two
    /// (<see cref="PairedComparison"/>), the lead is a win only when it is significant (p &lt; 0.05); without one (no
    /// per-example predictions), a lead no larger than the seeds' spread (the larger standard deviation) is a tie.
    /// </summary>
    public sealed record BudgetVerdict(int Budget, ArmSummary Best, ArmSummary? RunnerUp, PairedComparison? Test = null)
    {
        public double Lead => RunnerUp is null ? 0 : Best.ValidationMacroF1Mean - RunnerUp.ValidationMacroF1Mean;

        public double Spread => RunnerUp is null ? 0 : Math.Max(Best.ValidationMacroF1Std, RunnerUp.ValidationMacroF1Std);

        public bool IsTie => RunnerUp is not null && (Test is { } t ? !t.Significant : Lead <= Spread);

        /// <summary>Of the two, the one with less training time per model (pretraining included): the recommendation when they tie.</summary>
        public ArmSummary Cheaper => RunnerUp is { } r && Cost(r) < Cost(Best) ? r : Best;

        private static double Cost(ArmSummary s) => s.PretrainingSeconds + s.FineTuneSecondsMean;
    }

    /// <summary>One verdict per budget, in the summaries' order, with its paired test when there is one.</summary>
    public static IEnumerable<BudgetVerdict> Verdicts(IReadOnlyList<ArmSummary> summaries, IReadOnlyList<PairedComparison>? comparisons = null)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        return summaries.GroupBy(s => s.Budget).Select(g =>
        {
            var ranked = g.OrderByDescending(s => s.ValidationMacroF1Mean).ToList(); // NaN (no validation split) sorts last
            var runnerUp = ranked.Count > 1 ? ranked[1] : null;
            var test = runnerUp is null ? null : comparisons?.FirstOrDefault(c => c.Budget == g.Key && c.Best == ranked[0].Strategy && c.RunnerUp == runnerUp.Strategy);
            return new BudgetVerdict(g.Key, ranked[0], runnerUp, test);
        });
    }

    /// <summary>One sentence per budget: the best strategy on validation with its test figure, and whether its lead over the runner-up is a win or a tie (then the cheaper one is recommended).</summary>
    public static string Recommend(IReadOnlyList<ArmSummary> summaries, IReadOnlyList<PairedComparison>? comparisons = null) =>
        string.Join("; ", Verdicts(summaries, comparisons).Select(v =>
        {
            var top = v.Best;
            var labels = v.Budget == 0 ? "all labels" : $"{v.Budget} labels";
            var head = string.Create(CultureInfo.InvariantCulture, $"{labels}: {TrainingStrategyNames.Name(top.Strategy)} (validation macro-F1 {top.ValidationMacroF1Mean:F3} ± {top.ValidationMacroF1Std:F3}, test {top.MacroF1Mean:F3} ± {top.MacroF1Std:F3}, {top.Seeds} seeds)");
            if (v.RunnerUp is not { } second)
            {
                return head;
            }

            if (v.Test is { } t)
            {
                var evidence = string.Create(CultureInfo.InvariantCulture, $"McNemar on validation, {t.B} vs {t.C} disagreements over {t.Seeds} seeds, p = {t.PValue:G2}");
                return v.IsTie
                    ? string.Create(CultureInfo.InvariantCulture, $"{head}, not significantly ahead of {TrainingStrategyNames.Name(second.Strategy)} (validation {second.ValidationMacroF1Mean:F3}, {evidence}): a tie, so the cheaper, {TrainingStrategyNames.Name(v.Cheaper.Strategy)}, is the recommendation")
                    : string.Create(CultureInfo.InvariantCulture, $"{head}, ahead of {TrainingStrategyNames.Name(second.Strategy)} by {v.Lead:F3} on validation ({evidence})");
            }

            return v.IsTie
                ? string.Create(CultureInfo.InvariantCulture, $"{head}, within the seeds' spread of {TrainingStrategyNames.Name(second.Strategy)} (validation {second.ValidationMacroF1Mean:F3}): a tie; the cheaper one will do")
                : string.Create(CultureInfo.InvariantCulture, $"{head}, ahead of {TrainingStrategyNames.Name(second.Strategy)} by {v.Lead:F3} on validation");
        }));

    private static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();

    private static double Std(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
