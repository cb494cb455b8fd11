using System.Globalization;
using BertFunctions.Orchestration.Contracts;
using Spectre.Console;

namespace BertFunctions.Cli.Hosting;

/// <summary>
/// How a finished run reads at the end of <c>demo</c> and <c>upload</c>: promoted or not, and why, its held-out
/// metrics, the TF-IDF baseline's beside them, and the note on imbalanced labels.
/// </summary>
internal static class RunOutcomeTable
{
    private static readonly string[] Shown = ["test.accuracy", "test.macro_f1", "test.roc_auc", "validation.accuracy", "validation.macro_f1"];

    private static readonly string[] BaselineShown = ["test.accuracy", "test.macro_f1", "validation.macro_f1"];

    public static void Write(IAnsiConsole output, string runId, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outcome);
        output.WriteLine($"run {runId}: {(outcome.Promoted ? "promoted" : "not promoted")} ({outcome.Reason})");
        var table = new Table().AddColumn("held-out metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var name in Shown)
        {
            if (outcome.Metrics?.TryGetValue(name, out var value) == true)
            {
                table.AddRow(name, value.ToString("F4", CultureInfo.InvariantCulture));
            }
        }

        // Is BERT worth it here: the TF-IDF baseline fitted on the same splits, in rows of its own.
        foreach (var name in BaselineShown)
        {
            if (outcome.Baseline?.Metrics?.TryGetValue(name, out var value) == true)
            {
                table.AddRow($"{RunBaseline.Name} {name}", value.ToString("F4", CultureInfo.InvariantCulture));
            }
        }

        output.Write(table);
        if (outcome.Imbalance is { } imbalance)
        {
            output.WriteLine(imbalance.Note);
        }
    }
}
