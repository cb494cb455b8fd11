using ScottPlot;

namespace BertFunctions.Training.Reporting;

/// <summary>The training-curve PNG: training loss (left axis) and the validation metric (right axis) against step.</summary>
public static class TrainingCurvePlot
{
    /// <summary>Writes the plot to <paramref name="path"/>.</summary>
    public static void Write(string path, string title, IReadOnlyList<LossPoint> losses, IReadOnlyList<EvaluationPoint> evaluations, string metric)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(evaluations);
        var plot = new Plot();
        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = "training loss";
        if (losses.Count > 0)
        {
            var loss = plot.Add.Scatter(losses.Select(p => (double)p.Step).ToArray(), losses.Select(p => p.Loss).ToArray());
            loss.LegendText = "training loss";
            loss.MarkerSize = 0;
        }

        var points = evaluations.Where(e => e.Metrics.ContainsKey(metric)).ToList();
        if (points.Count > 0)
        {
            var eval = plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.Metrics[metric]).ToArray());
            eval.LegendText = $"validation {metric}";
            eval.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = $"validation {metric}";
        }

        plot.ShowLegend();
        plot.SavePng(path, 900, 500);
    }
}
