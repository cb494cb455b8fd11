using System.Globalization;
using System.Text;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Reports;

/// <summary>
/// An experiment's report as one self-contained HTML page: the recommendation and why, the comparison table, the
/// plots (inline PNG), every arm with a link to its model package, the pretraining jobs and the promotion outcome.
/// </summary>
public static class ExperimentReportPage
{
    public static string Render(ExperimentReportData data, IReadOnlyDictionary<string, byte[]> plots)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plots);
        var result = data.Result;
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"<h1>Which strategy for <code>{Html.Encode(result.Dataset)}</code>?</h1>\n");
        b.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Experiment <code id=\"experiment-id\">{Html.Encode(result.Id)}</code>");
        if (result.StartedAt is { } started && result.EndedAt is { } ended)
        {
            b.Append(CultureInfo.InvariantCulture, $" · {started:yyyy-MM-dd HH:mm} to {ended:HH:mm} UTC ({Html.Seconds((ended - started).TotalSeconds)})");
        }

        b.Append(CultureInfo.InvariantCulture, $" · device {Html.Encode(result.Device ?? "unknown")}");
        b.Append(CultureInfo.InvariantCulture, $" · {result.Arms.Count} fine-tuning jobs · dataset versions {Html.Encode(string.Join(", ", result.DatasetVersions.Select(v => $"{v.Key} {v.Value[..Math.Min(12, v.Value.Length)]}")))}</p>\n");

        Recommendation(b, result);
        Comparison(b, result);
        Plots(b, plots);
        Arms(b, result);
        PretrainingJobs(b, result);
        Plan(b, result);
        Promotion(b, result);
        b.Append("<p class=\"meta\">Every arm was evaluated on the same held-out validation and test splits; the label budgets draw a stratified, seeded subset of the same training split. Strategies, seeds and promotion are chosen on validation; test is reported, never chosen on. Quality is mean ± sample standard deviation over seeds, with the 95 % interval of the mean (Student's t); a lead is a win only when McNemar's test on the validation examples finds it significant.</p>\n");
        return Html.Page($"Experiment {result.Id}", b);
    }

    /// <summary>How the compute budget was spent, when the experiment had one.</summary>
    private static void Plan(StringBuilder b, ExperimentResult result)
    {
        if (result.Plan is not { } plan)
        {
            return;
        }

        b.Append(CultureInfo.InvariantCulture, $"<h2>Compute budget</h2>\n<p id=\"plan-budget\">{Html.Encode(plan.Budget)}: {Html.Number(plan.BudgetFlops, "G3")} training FLOPs, {Html.Number(plan.PlannedFlops, "G3")} planned ({Html.Number(100 * plan.PlannedFlops / plan.BudgetFlops, "F0")} %).</p>\n<ul id=\"plan\">\n");
        foreach (var note in plan.Notes)
        {
            b.Append(CultureInfo.InvariantCulture, $"<li>{Html.Encode(note)}</li>\n");
        }

        b.Append("</ul>\n");
    }

    private static void Recommendation(StringBuilder b, ExperimentResult result)
    {
        foreach (var warning in result.Warnings ?? [])
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"warning\" id=\"warning\"><strong>Warning, given before the run:</strong> {Html.Encode(warning)}</p>\n");
        }

        b.Append("<h2>Recommendation</h2>\n<div class=\"recommendation\" id=\"recommendation\">\n<ul>\n");
        foreach (var verdict in ExperimentSummary.Verdicts(result.Summaries, result.Comparisons))
        {
            var top = verdict.Best;
            var labels = verdict.Budget == 0 ? "all labels" : $"{verdict.Budget} labels";
            b.Append(CultureInfo.InvariantCulture, $"<li><strong>{Html.Encode(labels)}: {Name(top.Strategy)}</strong>, validation macro-F1 {Html.MeanStd(top.ValidationMacroF1Mean, top.ValidationMacroF1Std, top.Seeds)} (chosen on it), test macro-F1 {Html.MeanStd(top.MacroF1Mean, top.MacroF1Std, top.Seeds)}. ");
            if (verdict.RunnerUp is { } second)
            {
                if (verdict.Test is { } t)
                {
                    var evidence = $"McNemar's exact test on the validation examples, {t.B} against {t.C} disagreements over {t.Seeds} seeds: <span class=\"p-value\">p = {Html.Number(t.PValue, "G2")}</span>";
                    b.Append(verdict.IsTie
                        ? $"Its lead on validation over {Name(second.Strategy)} ({Html.Number(verdict.Lead, "F4")}) is not significant ({evidence}): a tie, so the cheaper, {Name(verdict.Cheaper.Strategy)}, is the recommendation. "
                        : $"It leads {Name(second.Strategy)} on validation by {Html.Number(verdict.Lead, "F4")}, significantly ({evidence}). ");
                }
                else
                {
                    b.Append(verdict.IsTie
                        ? $"Its lead on validation over {Name(second.Strategy)} ({Html.Number(verdict.Lead, "F4")}) is within the seeds' spread ({Html.Number(verdict.Spread, "F4")}): a tie, so the cheaper strategy will do. "
                        : $"It leads {Name(second.Strategy)} on validation by {Html.Number(verdict.Lead, "F4")}, more than the seeds' spread ({Html.Number(verdict.Spread, "F4")}). ");
                }

                var extra = (top.PretrainingSeconds + top.FineTuneSecondsMean) - (second.PretrainingSeconds + second.FineTuneSecondsMean);
                b.Append(extra > 0
                    ? $"It costs {Html.Seconds(extra)} more training time per model (pretraining included)."
                    : $"It is also the cheaper one, by {Html.Seconds(-extra)} of training time per model.");
            }

            b.Append("</li>\n");
        }

        b.Append("</ul>\n</div>\n");
    }

    private static void Comparison(StringBuilder b, ExperimentResult result)
    {
        b.Append("<h2>Comparison</h2>\n<table id=\"comparison\">\n<thead><tr><th class=\"text\">strategy</th><th>label budget</th><th>seeds</th><th>validation macro-F1</th><th>test accuracy</th><th>test macro-F1</th><th>test macro-F1, 95 % interval of the mean</th><th>fine-tuning tokens (mean)</th><th>fine-tuning time (mean)</th><th>pretraining time (once)</th></tr></thead>\n<tbody>\n");
        foreach (var s in result.Summaries)
        {
            var best = result.BestByBudget.GetValueOrDefault(LabelBudgets.Name(s.Budget)) == TrainingStrategyNames.Name(s.Strategy);
            b.Append(CultureInfo.InvariantCulture, $"<tr data-strategy=\"{TrainingStrategyNames.Name(s.Strategy)}\" data-budget=\"{LabelBudgets.Name(s.Budget)}\"{(best ? " class=\"best\"" : "")}>");
            b.Append(CultureInfo.InvariantCulture, $"<td class=\"text\">{Name(s.Strategy)}</td><td>{LabelBudgets.Name(s.Budget)}</td><td>{s.Seeds}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td class=\"validation-macro-f1\">{Html.MeanStd(s.ValidationMacroF1Mean, s.ValidationMacroF1Std, s.Seeds)}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td class=\"accuracy\">{Html.MeanStd(s.AccuracyMean, s.AccuracyStd, s.Seeds)}</td><td class=\"macro-f1\">{Html.MeanStd(s.MacroF1Mean, s.MacroF1Std, s.Seeds)}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td class=\"macro-f1-ci\">{(s.Seeds < 2 ? "n/a" : $"{Html.Number(s.MacroF1Mean - s.MacroF1Ci95, "F4")} to {Html.Number(s.MacroF1Mean + s.MacroF1Ci95, "F4")}")}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td>{Html.Tokens(s.FineTuneTokensMean)}</td><td>{Html.Seconds(s.FineTuneSecondsMean)}</td><td>{(s.Strategy is TrainingStrategy.Finetune or TrainingStrategy.Embeddings ? "none" : Html.Seconds(s.PretrainingSeconds))}</td></tr>\n");
        }

        b.Append("</tbody>\n</table>\n<p class=\"meta\">Bold: the best strategy at that budget by mean validation macro-F1.</p>\n");
    }

    private static void Plots(StringBuilder b, IReadOnlyDictionary<string, byte[]> plots)
    {
        b.Append("<h2>Plots</h2>\n");
        (string File, string Alt)[] shown =
        [
            (ExperimentPlots.Quality, "Test macro-F1 against label budget per strategy, with error bars over seeds"),
            (ExperimentPlots.Cost, "Test macro-F1 against training time per strategy and budget"),
            (ExperimentPlots.Curves, "Fine-tuning training loss curves at the largest budget"),
            (ExperimentPlots.Pretraining, "Masked-language-model loss of the pretraining jobs"),
        ];
        foreach (var (file, alt) in shown)
        {
            if (plots.TryGetValue(file, out var png))
            {
                b.Append(CultureInfo.InvariantCulture, $"<figure><img id=\"plot-{Path.GetFileNameWithoutExtension(file)}\" alt=\"{Html.Encode(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption class=\"meta\">{Html.Encode(alt)} ({file})</figcaption></figure>\n");
            }
        }
    }

    private static void Arms(StringBuilder b, ExperimentResult result)
    {
        b.Append("<h2>Every fine-tuning job</h2>\n<table id=\"arms\">\n<thead><tr><th class=\"text\">job</th><th class=\"text\">strategy</th><th>budget</th><th>seed</th><th>steps</th><th>validation macro-F1</th><th>test accuracy</th><th>test macro-F1</th><th>tokens</th><th>time</th><th class=\"text\">model package</th></tr></thead>\n<tbody>\n");
        foreach (var a in result.Arms.OrderBy(a => a.Budget == 0 ? int.MaxValue : a.Budget).ThenBy(a => a.Strategy).ThenBy(a => a.Seed))
        {
            b.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"text\"><code>{Html.Encode(a.JobId)}</code></td><td class=\"text\">{Name(a.Strategy)}</td><td>{LabelBudgets.Name(a.Budget)}</td><td>{a.Seed}</td><td>{a.Steps}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td>{Html.Number(a.Metrics.GetValueOrDefault(ExperimentSummary.SelectionMetric, double.NaN), "F4")}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td>{Html.Number(a.Metrics.GetValueOrDefault("test.accuracy", double.NaN), "F4")}</td><td>{Html.Number(a.Metrics.GetValueOrDefault("test.macro_f1", double.NaN), "F4")}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td>{(a.Cost is null ? "n/a" : Html.Tokens(a.Cost.Tokens))}</td><td>{(a.Cost is null ? "n/a" : Html.Seconds(a.Cost.TrainSeconds))}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td class=\"text\">{PackageLink(a.ModelPackage)}</td></tr>\n");
        }

        b.Append("</tbody>\n</table>\n");
    }

    private static void PretrainingJobs(StringBuilder b, ExperimentResult result)
    {
        if (result.Pretraining is not { Count: > 0 } jobs)
        {
            return;
        }

        b.Append("<h2>Pretraining</h2>\n<table id=\"pretraining\">\n<thead><tr><th class=\"text\">job</th><th class=\"text\">strategy</th><th>steps</th><th>start: validation MLM loss of the fitted head</th><th>validation MLM loss</th><th>validation masked accuracy</th><th>tokens</th><th>time</th></tr></thead>\n<tbody>\n");
        foreach (var p in jobs)
        {
            b.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"text\"><code>{Html.Encode(p.JobId)}</code></td><td class=\"text\">{Name(p.Strategy)}</td><td>{p.Steps}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td class=\"start-loss\">{(p.StartMetrics is { } start ? Html.Number(start.GetValueOrDefault("validation.loss", double.NaN), "F3") : "n/a")}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td>{Html.Number(p.Metrics.GetValueOrDefault("validation.loss", double.NaN), "F3")}</td><td>{Html.Number(p.Metrics.GetValueOrDefault("validation.masked_accuracy", double.NaN), "F3")}</td>");
            b.Append(CultureInfo.InvariantCulture, $"<td>{(p.Cost is null ? "n/a" : Html.Tokens(p.Cost.Tokens))}</td><td>{(p.Cost is null ? "n/a" : Html.Seconds(p.Cost.TrainSeconds))}</td></tr>\n");
        }

        b.Append("</tbody>\n</table>\n");
    }

    private static void Promotion(StringBuilder b, ExperimentResult result)
    {
        if (result.Promotion is not { } promotion)
        {
            return;
        }

        b.Append(CultureInfo.InvariantCulture, $"<h2>Promotion</h2>\n<p id=\"promotion\">The winner <code>{Html.Encode(promotion.Candidate)}</code> was offered as model <code>{Html.Encode(promotion.Model)}</code>: <strong>{(promotion.Promoted ? "promoted" : "not promoted")}</strong> ({Html.Encode(promotion.Reason)}).</p>\n");
    }

    private static string PackageLink(string? package)
    {
        if (package is null)
        {
            return "none";
        }

        var path = package.TrimEnd('/');
        return $"<a href=\"/api/models/{Html.Encode(path)}\">{Html.Encode(path)}</a>";
    }

    private static string Name(TrainingStrategy strategy) =>
        $"<span class=\"swatch\" style=\"background:{ExperimentPlots.HexOf(strategy)}\"></span>{TrainingStrategyNames.Name(strategy)}";
}
