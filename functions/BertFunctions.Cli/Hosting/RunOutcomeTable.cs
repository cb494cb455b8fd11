using System.Globalization;
using BertFunctions.Orchestration.Contracts;
using Spectre.Console;

namespace BertFunctions.Cli.Hosting;

/// <summary>How a finished run reads at the end of <c>demo</c> and <c>upload</c>: promoted or not, and why, and its held-out metrics.</summary>
internal static class RunOutcomeTable
{
    private static readonly string[] Shown = ["test.accuracy", "test.macro_f1", "test.roc_auc", "validation.accuracy", "validation.macro_f1"];

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

        output.Write(table);
    }
}
