using System.Text.Json;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// Per-class results: read from the classify job's metrics.json into the run's outcome (record and GET
/// /api/training/{id}), shown on the runs page with a confusion-matrix plot.
/// </summary>
public sealed class ClassReportTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    /// <summary>
    /// metrics.json as the trainer writes it (snake_case; per-example labels and predictions beside the aggregates), for
    /// three labels: "ham" 4 examples (3 right, 1 taken for "spam"), "spam" 3 (all right), "phishing" 1 (taken for
    /// "spam"). The validation split is all right.
    /// </summary>
    private const string MetricsJson = """
        {
          "job_id": "x-cls", "mode": "classify", "steps": 10, "labels": ["ham", "phishing", "spam"],
          "metrics": { "test.accuracy": 0.75, "test.macro_f1": 0.5079 },
          "splits": {
            "test": {
              "metrics": { "accuracy": 0.75 },
              "classification": {
                "accuracy": 0.75, "macro_f1": 0.5079365079365079,
                "per_class": [
                  { "label": "ham", "precision": 1.0, "recall": 0.75, "f1": 0.8571428571428571, "support": 4 },
                  { "label": "phishing", "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1 },
                  { "label": "spam", "precision": 0.6, "recall": 1.0, "f1": 0.75, "support": 3 }
                ],
                "confusion_matrix": [[3, 0, 1], [0, 0, 1], [0, 0, 3]],
                "count": 8,
                "labels": [0, 0, 0, 0, 1, 2, 2, 2],
                "predictions": [0, 0, 0, 2, 2, 2, 2, 2]
              }
            },
            "validation": {
              "metrics": { "accuracy": 1.0 },
              "classification": {
                "accuracy": 1.0, "macro_f1": 1.0,
                "per_class": [
                  { "label": "ham", "precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2 },
                  { "label": "phishing", "precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1 },
                  { "label": "spam", "precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1 }
                ],
                "confusion_matrix": [[2, 0, 0], [0, 1, 0], [0, 0, 1]],
                "count": 4
              }
            }
          },
          "loss_curve": [], "evaluations": []
        }
        """;

    [Fact]
    public void Metrics_json_gives_every_splits_labels_scores_and_matrix_in_label_order()
    {
        var reports = ClassReports.FromMetricsJson(MetricsJson)!;

        Assert.Equal(["test", "validation"], reports.Keys.Order());
        var test = reports["test"];
        Assert.Equal(["ham", "phishing", "spam"], test.Labels);
        Assert.Equal(new ClassScore("spam", 0.6, 1.0, 0.75, 3), test.PerClass[2]);
        Assert.Equal([[3L, 0, 1], [0L, 0, 1], [0L, 0, 3]], test.ConfusionMatrix.Select(r => r.ToArray()));
        Assert.Equal(8, test.Count);
        Assert.Equal([2L, 1, 1], reports["validation"].PerClass.Select(c => c.Support));
    }

    [Theory]
    [InlineData("scripted metrics.json of x/y")] // not JSON
    [InlineData("""{"job_id": "x-mlm", "mode": "mlm", "splits": {"test": {"metrics": {"loss": 2.1}}}}""")] // no classification
    [InlineData("""{"splits": {"test": {"classification": {"per_class": [{"label": "a", "precision": 1, "recall": 1, "f1": 1, "support": 1}], "confusion_matrix": [[1, 0]]}}}}""")] // a row of the wrong length
    [InlineData("""[1, 2]""")]
    public void A_metrics_json_without_per_class_detail_gives_none(string json) =>
        Assert.Null(ClassReports.FromMetricsJson(json));

    [Fact]
    public async Task A_finished_run_records_the_jobs_per_class_results_and_the_api_and_runs_page_show_them()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.UploadSpamAsync("classes", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) =>
        {
            if (spec.Output is { } output)
            {
                ScriptedTrainer.WritePackageAsync(fixture.Blobs, output.Name, output.Version, CancellationToken.None, MetricsJson).GetAwaiter().GetResult();
            }

            return ScriptedTrainer.Succeed(spec);
        }, writesPackages: false);

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "classes" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.Equal(RunStates.Completed, outcome.State);
        Assert.Equal(ClassReports.FromMetricsJson(MetricsJson)!["test"].PerClass, outcome.ClassReports!["test"].PerClass);
        var record = (await Runs.RecordAsync(fixture, id))!;
        Assert.Equal([[3L, 0, 1], [0L, 0, 1], [0L, 0, 3]], record.Outcome!.ClassReports!["test"].ConfusionMatrix.Select(r => r.ToArray()));
        Assert.Equal(outcome.Metrics, record.Outcome.Metrics); // the flat metrics are as before

        // GET /api/training/{id} serialises the outcome snake_case, like the rest of the API.
        var json = JsonSerializer.SerializeToElement(new RunStatusResponse { Id = id, RuntimeStatus = "Completed", Outcome = record.Outcome }, TrainingApi.JsonOptions);
        var test = json.GetProperty("outcome").GetProperty("class_reports").GetProperty("test");
        Assert.Equal("phishing", test.GetProperty("per_class")[1].GetProperty("label").GetString());
        Assert.Equal(3, test.GetProperty("per_class")[2].GetProperty("support").GetInt64());
        Assert.Equal(1, test.GetProperty("confusion_matrix")[1][2].GetInt64());
        Assert.Equal(["ham", "phishing", "spam"], test.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(0.9, json.GetProperty("outcome").GetProperty("metrics").GetProperty("test.accuracy").GetDouble()); // the scripted job's flat metric, unchanged

        // The runs page: the per-class table and the plot's link; the plot is a PNG drawn from the record.
        var page = RunsPage.Render(new RunsPage.Contents([], [record], []));
        Assert.Contains($"<details class=\"classes\" id=\"classes-{id}\">", page, StringComparison.Ordinal);
        Assert.Contains("<tr><td class=\"text\">phishing</td><td>0.0000</td><td>0.0000</td><td>0.0000</td><td>1</td></tr>", page, StringComparison.Ordinal);
        Assert.Contains($"src=\"/api/training/{id}/report/confusion-test.png\"", page, StringComparison.Ordinal);
        var api = new ReportsApi(fixture.Blobs, NullLogger<ReportsApi>.Instance);
        var (status, type, body) = await ExecuteAsync(await api.RunPlotAsync(id, "confusion-test.png", ct));
        Assert.Equal((200, "image/png"), (status, type));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], body[..4]);
        Assert.Equal(404, (await ExecuteAsync(await api.RunPlotAsync(id, "confusion-train.png", ct))).Status);
        Assert.Equal(404, (await ExecuteAsync(await api.RunPlotAsync("no-such-run", "confusion-test.png", ct))).Status);
    }

    [Fact]
    public async Task A_run_whose_job_left_no_per_class_detail_completes_without_it()
    {
        await fixture.UploadSpamAsync("noclasses", perLabel: 10);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec)); // placeholder metrics.json

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "noclasses" });
        var outcome = (await Runs.WaitAsync(fixture, id)).ReadOutputAs<RunOutcome>()!;

        Assert.Equal(RunStates.Completed, outcome.State);
        Assert.Null(outcome.ClassReports);
        Assert.DoesNotContain("class=\"classes\"", RunsPage.Render(new RunsPage.Contents([], [(await Runs.RecordAsync(fixture, id))!], [])), StringComparison.Ordinal);
    }

    [Fact]
    public void The_plot_of_many_labels_grows_with_them()
    {
        string[] labels = [.. Enumerable.Range(0, 18).Select(i => $"category-with-a-long-name-{i}")];
        var report = new ClassReport
        {
            Labels = labels,
            PerClass = [.. labels.Select(l => new ClassScore(l, 0.5, 0.5, 0.5, 10))],
            ConfusionMatrix = [.. labels.Select((_, r) => (IReadOnlyList<long>)[.. labels.Select((_, c) => r == c ? 5L : c == (r + 1) % labels.Length ? 5L : 0L)])],
            Count = 180,
        };

        var png = ConfusionMatrixPlot.Render(report, "18 labels");

        // PNG width and height, big-endian at bytes 16-23: 44 px a label beyond the 480 px minimum.
        var height = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        Assert.Equal(160 + (44 * 18), height);
    }

    private static async Task<(int Status, string? Type, byte[] Body)> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, context.Response.ContentType, body.ToArray());
    }
}
