using System.Globalization;
using BertFunctions.Orchestration.Contracts;
using Spectre.Console;

namespace BertFunctions.Cli.Hosting;

/// <summary>
/// A classifier's per-class results as two tables: label, precision, recall, F1 and support, then the confusion
/// matrix. The matrix's columns are numbered (the number before each row's label), so that 15 or more labels with long
/// names still fit a terminal. Shared by the commands that show a model's results (<c>runs follow</c>, <c>runs show</c>).
/// </summary>
internal static class ClassReportTable
{
    /// <summary>Writes the tables of <paramref name="report"/>, under a heading that names <paramref name="split"/>.</summary>
    public static void Write(IAnsiConsole console, ClassReport report, string split = "test")
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{split} split: {report.Labels.Count} labels, {report.Count} examples"));
        var scores = new Table()
            .AddColumn("label")
            .AddColumn(new TableColumn("precision").RightAligned())
            .AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned())
            .AddColumn(new TableColumn("support").RightAligned());
        foreach (var c in report.PerClass)
        {
            scores.AddRow(new Text(c.Label), Number(c.Precision), Number(c.Recall), Number(c.F1), new Text(c.Support.ToString(CultureInfo.InvariantCulture)));
        }

        console.Write(scores);
        console.WriteLine("confusion matrix: rows are the true label, columns the predicted label (by number)");
        var matrix = new Table().Border(TableBorder.Simple).AddColumn("true label");
        for (var column = 0; column < report.Labels.Count; column++)
        {
            matrix.AddColumn(new TableColumn((column + 1).ToString(CultureInfo.InvariantCulture)).RightAligned().Padding(1, 0));
        }

        for (var row = 0; row < report.Labels.Count; row++)
        {
            var cells = new List<Text> { new($"{row + 1} {report.Labels[row]}") };
            for (var column = 0; column < report.Labels.Count; column++)
            {
                var count = report.ConfusionMatrix[row][column].ToString(CultureInfo.InvariantCulture);
                cells.Add(row == column ? new Text(count, new Style(decoration: Decoration.Bold)) : new Text(count));
            }

            matrix.AddRow(cells);
        }

        console.Write(matrix);
    }

    /// <summary>The same, to a plain writer: 160 columns, no colour (logs, files, a caller without a console).</summary>
    public static void Write(TextWriter writer, ClassReport report, string split = "test") =>
        Write(ConsoleStreams.OutputConsole(writer), report, split);

    private static Text Number(double value) => new(value.ToString("F4", CultureInfo.InvariantCulture));
}
