using System.Globalization;
using BertFunctions.Orchestration.Contracts;
using Spectre.Console;

namespace BertFunctions.Cli.Hosting;

/// <summary>
/// Is BERT worth it here? The run's model beside the TF-IDF baseline it fitted on the same splits (test macro-F1 and
/// accuracy), and the note on imbalanced labels; at the end of <c>runs follow</c>.
/// </summary>
internal static class BaselineComparison
{
    private static readonly string[] Shown = ["test.macro_f1", "test.accuracy"];

    public static void Write(IAnsiConsole output, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Imbalance is { } imbalance)
        {
            output.WriteLine(imbalance.Note);
        }

        if (outcome.Baseline is not { } baseline)
        {
            return;
        }

        if (baseline.Metrics is not { } reference)
        {
            output.WriteLine($"{RunBaseline.Name}: failed ({baseline.Error ?? "no metrics"})");
            return;
        }

        var table = new Table().AddColumn("held-out metric").AddColumn(new TableColumn("model").RightAligned()).AddColumn(new TableColumn(RunBaseline.Name).RightAligned());
        foreach (var name in Shown)
        {
            table.AddRow(name, Format(outcome.Metrics, name), Format(reference, name));
        }

        output.Write(table);
    }

    private static string Format(IReadOnlyDictionary<string, double>? metrics, string name) =>
        metrics?.TryGetValue(name, out var value) == true ? value.ToString("F4", CultureInfo.InvariantCulture) : "";
}
