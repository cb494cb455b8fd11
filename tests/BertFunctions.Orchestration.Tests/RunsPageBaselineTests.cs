using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Reports;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The runs page and <c>GET /api/runs</c> put the TF-IDF baseline's test macro-F1 beside the model's.</summary>
public sealed class RunsPageBaselineTests
{
    private static RunRecord Run(string id, RunBaseline? baseline) => new()
    {
        Id = id,
        Request = new TrainingRunRequest { Dataset = "spam" },
        State = RunStates.Completed,
        StartedAt = DateTimeOffset.UnixEpoch,
        Outcome = new RunOutcome
        {
            State = RunStates.Completed,
            Reason = "first model",
            Metrics = new Dictionary<string, double> { ["test.macro_f1"] = 0.9123 },
            Baseline = baseline,
        },
    };

    [Fact]
    public void Each_run_shows_the_baselines_test_macro_f1_beside_the_models()
    {
        var fitted = Run("with-baseline", new RunBaseline { JobId = "with-baseline-tfidf", Metrics = new Dictionary<string, double> { ["test.macro_f1"] = 0.7345 } });
        var skipped = Run("without-baseline", null);
        var contents = new RunsPage.Contents([], [fitted, skipped], []);

        var html = RunsPage.Render(contents);

        Assert.Contains("<th title=\"TF-IDF + logistic regression on the same splits: is BERT worth it here?\">baseline macro-F1</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>0.9123</td><td class=\"baseline\">0.7345</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>0.9123</td><td class=\"baseline\">n/a</td>", html, StringComparison.Ordinal);

        var list = RunList.Of(contents);
        Assert.Equal([0.7345, null], list.Runs.Select(r => r.BaselineTestMacroF1));
        Assert.Null(RunsPage.BaselineTestMacroF1(Run("failed", new RunBaseline { JobId = "failed-tfidf", Error = "no texts" }).Outcome));
    }
}
