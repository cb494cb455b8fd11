using System.Globalization;
using BertFunctions.Orchestration.Contracts;
using ScottPlot;

namespace BertFunctions.Orchestration.Reports;

/// <summary>
/// The report's plots as PNG bytes (ScottPlot): quality against label budget, training curves, pretraining curves,
/// and quality against cost. One colour per strategy throughout.
/// </summary>
public static class ExperimentPlots
{
    public const string Quality = "quality.png";
    public const string Curves = "curves.png";
    public const string Pretraining = "pretraining.png";
    public const string Cost = "cost.png";

    /// <summary>Every plot file the report may have; the API serves these names and no others.</summary>
    public static IReadOnlyList<string> Files { get; } = [Quality, Curves, Pretraining, Cost];

    private const int Width = 900;
    private const int Height = 480;

    /// <summary>The plots of an experiment, by file name (pretraining only when a strategy pretrained).</summary>
    public static IReadOnlyDictionary<string, byte[]> Render(ExperimentReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plots = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [Quality] = QualityByBudget(data.Result),
            [Curves] = TrainingCurves(data),
            [Cost] = QualityByCost(data.Result),
        };
        if (data.Result.Pretraining is { Count: > 0 })
        {
            plots[Pretraining] = PretrainingCurves(data);
        }

        return plots;
    }

    /// <summary>Mean test macro-F1 per strategy against label budget, with ± one standard deviation over seeds.</summary>
    public static byte[] QualityByBudget(ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var budgets = Budgets(result);
        var strategies = result.Summaries.Select(s => s.Strategy).Distinct().Order().ToList();
        var plot = new Plot();
        plot.Title("Test macro-F1 against label budget (mean ± std over seeds)");
        plot.Axes.Bottom.Label.Text = "training examples (label budget)";
        plot.Axes.Left.Label.Text = "test macro-F1";
        for (var s = 0; s < strategies.Count; s++)
        {
            var rows = result.Summaries.Where(x => x.Strategy == strategies[s]).OrderBy(x => budgets.IndexOf(x.Budget)).ToList();
            var xs = rows.Select(r => budgets.IndexOf(r.Budget) + Offset(s, strategies.Count)).ToArray();
            var ys = rows.Select(r => r.MacroF1Mean).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.Color = ColorOf(strategies[s]);
            line.LegendText = TrainingStrategyNames.Name(strategies[s]);
            line.MarkerSize = 8;
            line.LineWidth = 2;
            var bars = plot.Add.ErrorBar(xs, ys, rows.Select(r => r.MacroF1Std).ToArray());
            bars.Color = ColorOf(strategies[s]);
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. budgets.Select((b, i) => (double)i)], [.. budgets.Select(LabelBudgets.Name)]);
        plot.Axes.SetLimitsX(-0.5, budgets.Count - 0.5);
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Training loss (moving average) of every arm at the largest budget, one line per seed, coloured by strategy.</summary>
    public static byte[] TrainingCurves(ExperimentReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var largest = Budgets(data.Result).LastOrDefault();
        var plot = new Plot();
        plot.Title($"Fine-tuning: training loss at budget {LabelBudgets.Name(largest)} (moving average of 10 steps)");
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "training loss";
        var labelled = new HashSet<TrainingStrategy>();
        foreach (var arm in data.Result.Arms.Where(a => a.Budget == largest).OrderBy(a => a.Strategy).ThenBy(a => a.Seed))
        {
            if (data.Curves.GetValueOrDefault(arm.JobId) is not { Loss.Count: > 0 } curve)
            {
                continue;
            }

            var line = AddLossLine(plot, curve, ColorOf(arm.Strategy).WithAlpha(0.8), 1.5f);
            if (labelled.Add(arm.Strategy))
            {
                line.LegendText = TrainingStrategyNames.Name(arm.Strategy);
            }
        }

        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>The MLM loss of each pretraining job (domain-adaptive and from scratch).</summary>
    public static byte[] PretrainingCurves(ExperimentReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        plot.Title("Pretraining: masked-language-model loss (moving average of 10 steps)");
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "MLM loss";
        foreach (var job in data.Result.Pretraining ?? [])
        {
            if (data.Curves.GetValueOrDefault(job.JobId) is not { Loss.Count: > 0 } curve)
            {
                continue;
            }

            var line = AddLossLine(plot, curve, ColorOf(job.Strategy), 2);
            line.LegendText = TrainingStrategyNames.Name(job.Strategy);
        }

        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>
    /// Mean test macro-F1 against training wall time (log scale): a strategy's pretraining plus one fine-tuning, the
    /// time a user pays for one model of that strategy and budget.
    /// </summary>
    public static byte[] QualityByCost(ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plot = new Plot();
        plot.Title("Test macro-F1 against training time (pretraining + one fine-tuning)");
        plot.Axes.Bottom.Label.Text = $"training wall time, seconds (log scale){(result.Device is null ? "" : $", {result.Device}")}";
        plot.Axes.Left.Label.Text = "test macro-F1";
        foreach (var group in result.Summaries.GroupBy(s => s.Strategy).OrderBy(g => g.Key))
        {
            var rows = group.ToList();
            var xs = rows.Select(r => Math.Log10(Math.Max(r.PretrainingSeconds + r.FineTuneSecondsMean, 0.1))).ToArray();
            var ys = rows.Select(r => r.MacroF1Mean).ToArray();
            var points = plot.Add.Scatter(xs, ys);
            points.Color = ColorOf(group.Key);
            points.LineWidth = 0;
            points.MarkerSize = 9;
            points.LegendText = TrainingStrategyNames.Name(group.Key);
            var bars = plot.Add.ErrorBar(xs, ys, rows.Select(r => r.MacroF1Std).ToArray());
            bars.Color = ColorOf(group.Key);
            foreach (var (row, x, y) in rows.Zip(xs, ys))
            {
                var label = plot.Add.Text(LabelBudgets.Name(row.Budget), x, y);
                label.LabelFontColor = ColorOf(group.Key);
                label.LabelFontSize = 11;
                label.OffsetX = 6;
            }
        }

        var seconds = result.Summaries.Select(r => Math.Max(r.PretrainingSeconds + r.FineTuneSecondsMean, 0.1)).DefaultIfEmpty(1).ToList();
        var ticks = LogTicks(seconds.Min(), seconds.Max());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. ticks.Select(Math.Log10)], [.. ticks.Select(t => t.ToString("G4", CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(Math.Log10(seconds.Min()) - 0.15, Math.Log10(seconds.Max()) + 0.25);
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>The strategy's colour (the same in every plot and in the page's table).</summary>
    public static string HexOf(TrainingStrategy strategy) => strategy switch
    {
        TrainingStrategy.Finetune => "#1f77b4",
        TrainingStrategy.Dapt => "#ff7f0e",
        TrainingStrategy.Embeddings => "#7f7f7f",
        TrainingStrategy.Baseline => "#8c564b",
        TrainingStrategy.Tapt => "#9467bd",
        TrainingStrategy.DaptTapt => "#d62728",
        _ => "#2ca02c",
    };

    private static Color ColorOf(TrainingStrategy strategy) => Color.FromHex(HexOf(strategy));

    private static List<int> Budgets(ExperimentResult result) =>
        [.. result.Summaries.Select(s => s.Budget).Distinct().OrderBy(b => b == 0 ? int.MaxValue : b)];

    /// <summary>A job's training loss against step, as a moving average of 10 steps (per-step losses are noisy).</summary>
    private static ScottPlot.Plottables.Scatter AddLossLine(Plot plot, ArmCurve curve, Color color, float width)
    {
        var line = plot.Add.Scatter(curve.Loss.Select(p => p.Step).ToArray(), MovingAverage(curve.Loss.Select(p => p.Loss).ToArray(), 10));
        line.Color = color;
        line.MarkerSize = 0;
        line.LineWidth = width;
        return line;
    }

    /// <summary>1-2-5 ticks per decade covering [min, max], for an axis of log10 values.</summary>
    private static List<double> LogTicks(double min, double max)
    {
        var ticks = new List<double>();
        for (var decade = Math.Floor(Math.Log10(min)); decade <= Math.Ceiling(Math.Log10(max)); decade++)
        {
            foreach (var m in (double[])[1, 2, 5])
            {
                var t = m * Math.Pow(10, decade);
                if (t >= min / 1.5 && t <= max * 1.5)
                {
                    ticks.Add(t);
                }
            }
        }

        return ticks;
    }

    private static double Offset(int index, int count) => count <= 1 ? 0 : (index - ((count - 1) / 2.0)) * 0.08;

    private static double[] MovingAverage(double[] values, int window)
    {
        var averaged = new double[values.Length];
        double sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            averaged[i] = sum / Math.Min(i + 1, window);
        }

        return averaged;
    }
}
