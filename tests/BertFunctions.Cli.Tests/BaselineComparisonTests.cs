using BertFunctions.Cli.Hosting;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Cli.Tests;

/// <summary>How a finished run's TF-IDF baseline and imbalance note read in the CLI: runs follow's table and the demo/upload outcome table.</summary>
public sealed class BaselineComparisonTests
{
    private static readonly RunOutcome Outcome = new()
    {
        State = RunStates.Completed,
        Promoted = true,
        Reason = "first model for this name (validation.macro_f1 0.8100); beat the TF-IDF baseline 0.8100 > 0.7400 (validation.macro_f1)",
        Metrics = new Dictionary<string, double> { ["test.macro_f1"] = 0.8123, ["test.accuracy"] = 0.9001, ["validation.macro_f1"] = 0.81 },
        Baseline = new RunBaseline { JobId = "r-tfidf", Metrics = new Dictionary<string, double> { ["test.macro_f1"] = 0.7345, ["test.accuracy"] = 0.8555, ["validation.macro_f1"] = 0.74 } },
        Imbalance = new LabelImbalance { Largest = "ham", LargestCount = 900, Smallest = "spam", SmallestCount = 100, Ratio = 9, ClassWeights = true, Note = "imbalanced labels in the training split: ham 900 to spam 100 (9:1, threshold 3:1); class-weighted loss on by default" },
    };

    private static string Render(Action<Spectre.Console.IAnsiConsole> write)
    {
        using var text = new StringWriter();
        write(ConsoleStreams.OutputConsole(text));
        return text.ToString();
    }

    [Fact]
    public void Runs_follow_puts_the_model_beside_the_baseline_on_test_macro_f1_and_accuracy()
    {
        var lines = Render(o => BaselineComparison.Write(o, Outcome)).Split('\n');

        Assert.Contains(lines, l => l.Contains("imbalanced labels in the training split: ham 900 to spam 100", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("TF-IDF baseline", StringComparison.Ordinal) && l.Contains("model", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("test.macro_f1", StringComparison.Ordinal) && l.Contains("0.8123", StringComparison.Ordinal) && l.Contains("0.7345", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("test.accuracy", StringComparison.Ordinal) && l.Contains("0.9001", StringComparison.Ordinal) && l.Contains("0.8555", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_baseline_says_why_and_a_run_without_one_shows_nothing_of_it()
    {
        var failed = Render(o => BaselineComparison.Write(o, Outcome with { Imbalance = null, Baseline = new RunBaseline { JobId = "r-tfidf", Error = "no texts" } }));
        Assert.Contains("TF-IDF baseline: failed (no texts)", failed, StringComparison.Ordinal);

        Assert.Equal("", Render(o => BaselineComparison.Write(o, Outcome with { Imbalance = null, Baseline = null })));
    }

    [Fact]
    public void The_demo_and_upload_outcome_table_has_baseline_rows()
    {
        var text = Render(o => RunOutcomeTable.Write(o, "r", Outcome));

        Assert.Contains(text.Split('\n'), l => l.Contains("TF-IDF baseline test.macro_f1", StringComparison.Ordinal) && l.Contains("0.7345", StringComparison.Ordinal));
        Assert.Contains(text.Split('\n'), l => l.Contains("TF-IDF baseline test.accuracy", StringComparison.Ordinal) && l.Contains("0.8555", StringComparison.Ordinal));
        Assert.Contains("class-weighted loss on by default", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TF-IDF baseline test", Render(o => RunOutcomeTable.Write(o, "r", Outcome with { Baseline = null })), StringComparison.Ordinal);
    }
}
