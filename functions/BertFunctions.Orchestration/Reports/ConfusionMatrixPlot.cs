using System.Globalization;
using BertFunctions.Orchestration.Contracts;
using ScottPlot;

namespace BertFunctions.Orchestration.Reports;

/// <summary>
/// A confusion matrix as a PNG heatmap (ScottPlot): true labels down the left, predicted labels along the bottom, in
/// the report's label order, the count in every cell. A cell's shade is its share of its row (the true label's
/// examples), so a small class's errors show as clearly as a large one's; the count says how many.
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>The plot file of a split's matrix, as <c>GET /api/training/{id}/report/{file}</c> serves it: <c>confusion-test.png</c>.</summary>
    public static string FileOf(string split) => $"confusion-{split}.png";

    /// <summary>The split a plot file name is of, or null when it names no plot.</summary>
    public static string? SplitOf(string file) => ClassReports.Splits.FirstOrDefault(s => FileOf(s) == file);

    /// <summary>The plot; it grows with the number of labels (about 44 px per label), so 15 or more stay readable.</summary>
    public static byte[] Render(ClassReport report, string title)
    {
        ArgumentNullException.ThrowIfNull(report);
        var k = report.Labels.Count;
        var plot = new Plot();
        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "predicted label";
        plot.Axes.Left.Label.Text = "true label";
        var fontSize = k <= 10 ? 14 : k <= 20 ? 11 : 9;
        for (var row = 0; row < k; row++)
        {
            var support = report.ConfusionMatrix[row].Sum();
            for (var column = 0; column < k; column++)
            {
                var count = report.ConfusionMatrix[row][column];
                var share = support == 0 ? 0 : (double)count / support;

                // Row r is drawn at y = -r, so the first label is the top row, as a table reads.
                var cell = plot.Add.Rectangle(column - 0.5, column + 0.5, -row - 0.5, -row + 0.5);
                cell.FillColor = Shade(share);
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
                var text = plot.Add.Text(count.ToString(CultureInfo.InvariantCulture), column, -row);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelBold = row == column;
                text.LabelFontColor = share > 0.55 ? Colors.White : Colors.Black;
            }
        }

        double[] positions = [.. Enumerable.Range(0, k).Select(i => (double)i)];
        string[] names = [.. report.Labels.Select(l => Shorten(l))];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. positions.Select(p => -p)], names);
        if (k > 6 || names.Any(n => n.Length > 8))
        {
            // Long or many names: slanted, so neighbours do not overlap.
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 20 + (7 * names.Max(n => n.Length));
            plot.Axes.Right.MinimumSize = 20 + (5 * names[^1].Length); // the last name slants past the matrix
        }

        plot.Axes.SetLimits(-0.5, k - 0.5, -k + 0.5, 0.5);
        plot.HideGrid();
        var side = Math.Max(480, 160 + (44 * k));
        return plot.GetImageBytes(side + 120, side, ImageFormat.Png);
    }

    /// <summary>White (0) to a dark blue (1).</summary>
    private static Color Shade(double share)
    {
        static byte Mix(byte from, byte to, double t) => (byte)Math.Round(from + ((to - from) * t));
        var t = Math.Clamp(share, 0, 1);
        return new Color(Mix(247, 8, t), Mix(251, 48, t), Mix(255, 107, t));
    }

    /// <summary>
    /// Axis names are cut to 24 characters, keeping both ends (names of one family often differ only at the end); the
    /// per-class table beside the plot has the full names.
    /// </summary>
    private static string Shorten(string label) => label.Length <= 24 ? label : label[..11] + "…" + label[^12..];
}
