using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using BertFunctions.Orchestration.Reports;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The report's pieces on their own: the recommendation's wording, the page's escaping, the plots, the file names.</summary>
public sealed class ReportTests
{
    private static ArmResult Arm(TrainingStrategy strategy, int budget, int seed, double f1, double? test = null) =>
        new(strategy, budget, seed, $"exp-x--{strategy}-{budget}-{seed}".ToLowerInvariant(), 10,
            new Dictionary<string, double> { ["validation.macro_f1"] = f1, ["test.accuracy"] = test ?? f1, ["test.macro_f1"] = test ?? f1 },
            new JobCost(1000, 10, "cpu (2 threads)"), $"checkpoints/x/step-{seed}/", $"x/{seed}/");

    [Fact]
    public void A_lead_larger_than_the_seeds_spread_is_a_win_and_a_smaller_one_a_tie()
    {
        var result = ExperimentSummary.Summarize("exp-x", "x", new Dictionary<string, string>(), [
            Arm(TrainingStrategy.Finetune, 50, 1, 0.70), Arm(TrainingStrategy.Finetune, 50, 2, 0.72),
            Arm(TrainingStrategy.Dapt, 50, 1, 0.80), Arm(TrainingStrategy.Dapt, 50, 2, 0.82),
            Arm(TrainingStrategy.Finetune, 0, 1, 0.90), Arm(TrainingStrategy.Finetune, 0, 2, 0.95),
            Arm(TrainingStrategy.Dapt, 0, 1, 0.91), Arm(TrainingStrategy.Dapt, 0, 2, 0.95),
        ]);

        var parts = result.Recommendation.Split("; ");
        Assert.Equal("50 labels: dapt (validation macro-F1 0.810 ± 0.014, test 0.810 ± 0.014, 2 seeds), ahead of finetune by 0.100 on validation", parts[0]);
        Assert.StartsWith("all labels: dapt (validation macro-F1 0.930 ± 0.028, test 0.930 ± 0.028, 2 seeds), within the seeds' spread of finetune (validation 0.925): a tie", parts[1], StringComparison.Ordinal);
        Assert.Equal("cpu (2 threads)", result.Device);

        // The precision the jobs ran in joins the device line of the summary and the report.
        var bf16 = ExperimentSummary.Summarize("exp-y", "x", new Dictionary<string, string>(), [Arm(TrainingStrategy.Finetune, 50, 1, 0.7) with { Cost = new JobCost(1000, 10, "cpu (2 threads)", "bf16") }]);
        Assert.Equal("cpu (2 threads), bf16", bf16.Device);
    }

    [Fact]
    public void The_strategy_is_chosen_on_validation_and_reported_on_test()
    {
        // Validation prefers fine-tuning (0.90 against 0.80); test, which no choice may read, says the opposite.
        var result = ExperimentSummary.Summarize("exp-v", "x", new Dictionary<string, string>(), [
            Arm(TrainingStrategy.Finetune, 50, 1, 0.90, test: 0.70), Arm(TrainingStrategy.Finetune, 50, 2, 0.90, test: 0.70),
            Arm(TrainingStrategy.Dapt, 50, 1, 0.80, test: 0.95), Arm(TrainingStrategy.Dapt, 50, 2, 0.80, test: 0.95),
        ]);

        Assert.Equal("finetune", result.BestByBudget["50"]);
        Assert.Equal("50 labels: finetune (validation macro-F1 0.900 ± 0.000, test 0.700 ± 0.000, 2 seeds), ahead of dapt by 0.100 on validation", result.Recommendation);
    }

    [Fact]
    public void The_page_escapes_what_it_shows_has_no_script_and_marks_missing_numbers()
    {
        var arms = new List<ArmResult> { Arm(TrainingStrategy.Finetune, 50, 1, 0.7), Arm(TrainingStrategy.Scratch, 50, 1, double.NaN) with { Cost = null } };
        var result = ExperimentSummary.Summarize("exp-x", "x", new Dictionary<string, string> { ["labeled"] = "abc" }, arms) with
        {
            Promotion = new ExperimentPromotion("exp-x--finetune-50-1", "x", false, "<script>alert('no')</script> & more", null),
        };
        var data = new ExperimentReportData(result, new Dictionary<string, ArmCurve>());

        var html = ExperimentReportPage.Render(data, ExperimentPlots.Render(data));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#x27;no&#x27;)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"macro-f1\">n/a</td>", html, StringComparison.Ordinal);
        Assert.Equal(3, html.Split("data:image/png;base64,").Length - 1); // quality, cost, curves; no pretraining plot without pretraining
    }

    [Fact]
    public void Plots_are_png_and_pretraining_is_plotted_only_when_a_strategy_pretrained()
    {
        var curve = new ArmCurve("exp-x--dapt-mlm", [(1, 9.0), (2, 8.0), (3, 7.5)], []);
        var result = ExperimentSummary.Summarize("exp-x", "x", new Dictionary<string, string>(), [Arm(TrainingStrategy.Dapt, 50, 1, 0.8)],
            [new PretrainingResult(TrainingStrategy.Dapt, curve.JobId, 3, new Dictionary<string, double>(), new JobCost(100, 30, "cpu"), "checkpoints/x/")]);

        var plots = ExperimentPlots.Render(new ExperimentReportData(result, new Dictionary<string, ArmCurve> { [curve.JobId] = curve }));

        Assert.Equal(ExperimentPlots.Files.Order(), plots.Keys.Order());
        Assert.All(plots.Values, png => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]));
        Assert.Equal(30, Assert.Single(result.Summaries).PretrainingSeconds);
    }

    [Theory]
    [InlineData("index.html", true)]
    [InlineData("quality.png", true)]
    [InlineData("../run.json", false)]
    [InlineData("a/b.png", false)]
    [InlineData("noextension", false)]
    [InlineData(".png", false)]
    [InlineData("Upper.png", false)]
    public void Report_file_names_are_plain(string file, bool valid)
    {
        if (valid)
        {
            Assert.Equal($"exp-x/report/{file}", StorageLayout.ExperimentReport("exp-x", file));
        }
        else
        {
            Assert.Throws<ArgumentException>(() => StorageLayout.ExperimentReport("exp-x", file));
        }
    }
}
