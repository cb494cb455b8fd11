using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;
using Microsoft.Playwright;

namespace BertFunctions.LocalHost.Tests;

/// <summary>
/// The strategy comparison end to end with every real part (Azurite, the in-process Durable engine, the trainer as a
/// child process, MiniLM for fine-tune and DAPT, a tiny BERT from scratch), then its report and the runs page read
/// the way people read them: in headless Chromium (Debian's package), with no console errors, the recorded numbers
/// in the table, the plots loaded, and a screenshot saved.
/// </summary>
public sealed class ExperimentReportTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
{
    private const string Tiny = """
        "vocabulary_size": 1000,
        "scratch_config": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 128},
        "pretraining": {"max_steps": 4, "batch_size": 8, "eval_every_steps": 2, "checkpoint_every_steps": 4, "learning_rate": 0.001},
        "fine_tuning": {"max_steps": 4, "batch_size": 8, "eval_every_steps": 2, "checkpoint_every_steps": 4, "learning_rate": 0.0001}
        """;

    [Fact]
    public async Task An_experiment_compares_every_strategy_and_the_baseline_warns_about_a_small_scratch_budget_and_its_report_renders_the_recorded_numbers_in_chromium()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: true);
        // The upload also starts the dataset's ordinary run; its settings make that one tiny too.
        await fixture.UploadAsync(StorageLayout.DatasetSettings("compare"), $$"""{"strategy": "scratch", {{Tiny}}}""");
        await fixture.UploadSpamAsync("compare", perLabel: 12);

        using var body = new StringContent($$"""{"dataset": "compare", "budgets": [8], "seeds": [1, 2], "promote": true, {{Tiny}}}""", Encoding.UTF8, "application/json");
        var response = await host.Http.PostAsync("/api/experiments", body, ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<RunAccepted>(TrainingApi.JsonOptions, ct))!;
        var id = accepted.Id;
        // Before any compute: the tiny scratch model gets 4 x 8 x 128 tokens for 18,208 non-embedding parameters.
        Assert.Contains("4,096 tokens for a model of 18,208 non-embedding parameters", Assert.Single(accepted.Warnings!), StringComparison.Ordinal);
        var result = await WaitForExperimentAsync(host, id, TimeSpan.FromMinutes(8));
        Assert.Equal(accepted.Warnings, result.Warnings);

        // The record: 4 strategies and the TF-IDF baseline x 1 budget x 2 seeds, each with its cost and checkpoint, the
        // BERT arms with their package (the baseline is compared, not served); means recomputed here.
        Assert.Equal(10, result.Arms.Count);
        Assert.All(result.Arms, a =>
        {
            var baseline = a.Strategy == TrainingStrategy.Baseline;
            Assert.NotNull(a.Cost);
            Assert.True((baseline || a.Cost!.Tokens > 0) && a.Cost!.TrainSeconds > 0, $"{a.JobId}: {a.Cost}");
            Assert.StartsWith("cpu", a.Cost.Device, StringComparison.Ordinal);
            Assert.Contains(a.Cost.Precision, (string[])["fp32", "bf16"]);
            Assert.NotNull(a.Checkpoint);
            Assert.Equal(baseline ? null : $"compare/{a.JobId}/", a.ModelPackage);
        });
        Assert.Equal(2, result.Arms.Count(a => a.Strategy == TrainingStrategy.Baseline));
        Assert.Equal(2, result.Pretraining!.Count);
        var daptStart = result.Pretraining.Single(p => p.Strategy == TrainingStrategy.Dapt).StartMetrics!["validation.loss"]; // the head fitted on MiniLM's frozen encoder
        Assert.True(double.IsFinite(daptStart) && daptStart > 0, $"start loss {daptStart}");
        foreach (var summary in result.Summaries)
        {
            var f1 = result.Arms.Where(a => a.Strategy == summary.Strategy).Select(a => a.Metrics["test.macro_f1"]).ToList();
            Assert.Equal(f1.Average(), summary.MacroF1Mean, 12);
        }

        Assert.NotNull(result.Promotion);

        // The stored report over HTTP: an inert page (CSP, no scripts) and the plots as PNG.
        using var page = await host.Http.GetAsync($"/api/experiments/{id}/report", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var png = await host.Http.GetByteArrayAsync($"/api/experiments/{id}/report/quality.png", ct);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/experiments/{id}/report/secrets.json", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/experiments/exp-none-0/report", ct)).StatusCode);
        var package = await host.Http.GetAsync($"/api/models/compare/{Uri.EscapeDataString(result.Arms[0].JobId)}", ct);
        Assert.Equal(HttpStatusCode.OK, package.StatusCode);

        // In Chromium: the report, then the runs page.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchChromiumAsync(playwright);
        var tab = await browser.NewPageAsync();
        var errors = Browsers.CollectErrors(tab);

        Assert.Equal(200, (await tab.GotoAsync(new Uri(host.Http.BaseAddress!, $"/api/experiments/{id}/report").ToString()))!.Status);
        foreach (var summary in result.Summaries)
        {
            // Expected cells recomputed here from the arms' own metrics: mean and sample standard deviation over seeds.
            var row = tab.Locator($"#comparison tr[data-strategy='{summary.Strategy.ToString().ToLowerInvariant()}'][data-budget='8']");
            var arms = result.Arms.Where(a => a.Strategy == summary.Strategy).ToList();
            Assert.Equal(MeanStd(arms.Select(a => a.Metrics["test.macro_f1"])), await row.Locator("td.macro-f1").InnerTextAsync());
            Assert.Equal(MeanStd(arms.Select(a => a.Metrics["test.accuracy"])), await row.Locator("td.accuracy").InnerTextAsync());
            Assert.Equal(MeanStd(arms.Select(a => a.Metrics["validation.macro_f1"])), await row.Locator("td.validation-macro-f1").InnerTextAsync());
            Assert.Equal(Interval95OfTwo(arms.Select(a => a.Metrics["test.macro_f1"])), await row.Locator("td.macro-f1-ci").InnerTextAsync());
        }

        // The bold row is the best on validation.
        var chosen = result.Summaries.MaxBy(s => s.ValidationMacroF1Mean)!;
        Assert.Equal(chosen.Strategy.ToString().ToLowerInvariant(), await tab.Locator("#comparison tr.best").GetAttributeAsync("data-strategy"));

        Assert.Equal(10, await tab.Locator("#arms tbody tr").CountAsync());
        Assert.Contains(daptStart.ToString("F3", CultureInfo.InvariantCulture), await tab.Locator("#pretraining td.start-loss").AllInnerTextsAsync());
        Assert.Equal("Warning, given before the run: " + accepted.Warnings![0], await tab.Locator("#warning").InnerTextAsync());
        Assert.Contains("8 labels", await tab.Locator("#recommendation").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await tab.EvaluateAsync<bool>("() => document.images.length >= 4 && [...document.images].every(i => i.complete && i.naturalWidth > 0)"), "every plot loads");
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Browsers.ScreenshotPath("experiment-report.png"), FullPage = true });

        Assert.Equal(200, (await tab.GotoAsync(new Uri(host.Http.BaseAddress!, "/api/runs").ToString()))!.Status);
        Assert.Equal(1, await tab.Locator($"#experiments a[href='/api/experiments/{id}/report']").CountAsync());
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Browsers.ScreenshotPath("runs.png"), FullPage = true });
        await tab.Locator($"#experiments a[href='/api/experiments/{id}/report']").ClickAsync();
        Assert.Equal(id, await tab.Locator("#experiment-id").InnerTextAsync());

        Assert.True(errors.Count == 0, "console errors: " + string.Join(" | ", errors));
    }

    /// <summary>The 95 % interval of the mean of two seeds: mean ± t(0.975, 1) × s / √2, t = 12.706.</summary>
    private static string Interval95OfTwo(IEnumerable<double> seeds)
    {
        var values = seeds.ToList();
        Assert.Equal(2, values.Count);
        var mean = values.Average();
        var half = 12.706 * Math.Abs(values[0] - values[1]) / Math.Sqrt(2) / Math.Sqrt(2); // s = |a - b| / √2
        return string.Create(CultureInfo.InvariantCulture, $"{mean - half:F4} to {mean + half:F4}");
    }

    private static string MeanStd(IEnumerable<double> seeds)
    {
        var values = seeds.ToList();
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F4} ± {std:F4}");
    }

    private static async Task<ExperimentResult> WaitForExperimentAsync(RunningHost host, string id, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        ExperimentStatusResponse? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = await host.Http.GetFromJsonAsync<ExperimentStatusResponse>($"/api/experiments/{id}", TrainingApi.JsonOptions, TestContext.Current.CancellationToken);
            if (status!.RuntimeStatus is "Completed" or "Failed" or "Terminated")
            {
                return status.Result ?? throw new InvalidOperationException($"experiment {id} ended {status.RuntimeStatus}: {status.Error}");
            }

            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"experiment {id} did not end within {limit}; last status: {status?.Phase} {status?.Percent}% {status?.Message}");
    }
}
