using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Training.Tests;

/// <summary>
/// Per-class metrics are recomputed here from the predictions: a real (tiny, few-step) classify job on three labels of
/// uneven size writes metrics.json; its test split's per-example labels and predictions are counted again by plain code
/// in this test, and the per-class precision, recall, F1, support and the confusion matrix must be what metrics.json
/// says and what the run record gets (read as the orchestration reads it).
/// </summary>
public sealed class PerClassMetricsTests(TrainingFixture fixture)
{
    [Fact]
    public async Task Per_class_metrics_and_the_confusion_matrix_recomputed_from_the_predictions_match_metrics_json_and_the_run_record()
    {
        var ct = TestContext.Current.CancellationToken;
        var version = await IngestTopicsAsync(ct);
        var spec = new TrainingJobSpec
        {
            JobId = "topics-tiny",
            Mode = JobMode.Classify,
            Base = ModelBase.None,
            Config = TrainingFixture.TinyConfig,
            Dataset = new DatasetReference("topics", version),

            // Few steps on purpose: a model that is still wrong on some examples gives a matrix with errors off the diagonal.
            Hyperparameters = new Hyperparameters { LearningRate = 2e-3, BatchSize = 16, MaxSteps = 40, WarmupRatio = 0.1, EvalEverySteps = 1000, CheckpointEverySteps = 1000, Threads = 2, Device = "cpu" },
        };
        var events = new EventRecorder();
        using var result = await fixture.Runner().RunAsync(spec, events, ct);
        Assert.True(result.Succeeded, result.Error);

        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(result.MetricsFile!, ct));
        var names = metrics.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["finance", "sport", "weather"], names);
        var test = metrics.RootElement.GetProperty("splits").GetProperty("test").GetProperty("classification");
        var truth = test.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var predicted = test.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(truth.Length, predicted.Length);

        // Recount: the matrix, then each class's true positives, predictions and support from it.
        var k = names.Length;
        var matrix = new long[k, k];
        for (var i = 0; i < truth.Length; i++)
        {
            matrix[truth[i], predicted[i]]++;
        }

        var expected = new List<ClassScore>();
        for (var c = 0; c < k; c++)
        {
            long tp = matrix[c, c], support = 0, predictions = 0;
            for (var j = 0; j < k; j++)
            {
                support += matrix[c, j];
                predictions += matrix[j, c];
            }

            var precision = predictions == 0 ? 0 : (double)tp / predictions;
            var recall = support == 0 ? 0 : (double)tp / support;
            expected.Add(new ClassScore(names[c], precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), support));
        }

        long[][] rows = [.. Enumerable.Range(0, k).Select(r => Enumerable.Range(0, k).Select(c => matrix[r, c]).ToArray())];
        Figures.Report($"topics test split: {truth.Length} examples, supports {string.Join("/", expected.Select(e => e.Support))}, matrix {JsonSerializer.Serialize(rows)}");

        // The split is stratified and uneven (120/60/30 per label before the split), so every label is in the test split, in those proportions.
        Assert.All(expected, e => Assert.True(e.Support > 0, $"{e.Label} has no test example"));
        Assert.True(expected[0].Support > expected[2].Support, "finance has more test examples than weather");

        // What metrics.json says.
        var perClass = test.GetProperty("per_class").EnumerateArray().ToArray();
        Assert.Equal(k, perClass.Length);
        for (var c = 0; c < k; c++)
        {
            Assert.Equal(expected[c].Label, perClass[c].GetProperty("label").GetString());
            Assert.Equal(expected[c].Precision, perClass[c].GetProperty("precision").GetDouble(), 12);
            Assert.Equal(expected[c].Recall, perClass[c].GetProperty("recall").GetDouble(), 12);
            Assert.Equal(expected[c].F1, perClass[c].GetProperty("f1").GetDouble(), 12);
            Assert.Equal(expected[c].Support, perClass[c].GetProperty("support").GetInt64());
        }

        Assert.Equal(rows, test.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(n => n.GetInt64()).ToArray()));
        Assert.Equal(expected.Average(e => e.F1), result.Metrics["test.macro_f1"], 12);

        // What the run record gets: the orchestration's activity reads the job's final checkpoint, named by its completed event.
        var completed = Assert.Single(events.Events, e => e.Kind == TrainingEventKind.Completed);
        var reports = await new ReadClassReportsActivity(fixture.Blobs).RunAsync(null!, new ClassReportSource(null, completed.Checkpoint));
        var recorded = reports!["test"];
        Assert.Equal(names, recorded.Labels);
        Assert.Equal(rows, recorded.ConfusionMatrix.Select(r => r.ToArray()));
        Assert.Equal(truth.Length, recorded.Count);
        for (var c = 0; c < k; c++)
        {
            Assert.Equal((expected[c].Label, expected[c].Support), (recorded.PerClass[c].Label, recorded.PerClass[c].Support));
            Assert.Equal(expected[c].Precision, recorded.PerClass[c].Precision, 12);
            Assert.Equal(expected[c].Recall, recorded.PerClass[c].Recall, 12);
            Assert.Equal(expected[c].F1, recorded.PerClass[c].F1, 12);
        }

        Assert.Equal(names, reports["validation"].Labels);
    }

    /// <summary>Three topics of uneven size (120 finance, 60 sport, 30 weather), each from its own small list of real English words.</summary>
    private async Task<string> IngestTopicsAsync(CancellationToken ct)
    {
        (string Label, int Count, string[] Words)[] topics =
        [
            ("finance", 120, ["bank", "money", "market", "price", "trade", "stock", "profit", "loan"]),
            ("sport", 60, ["game", "team", "player", "ball", "match", "goal", "coach", "score"]),
            ("weather", 30, ["rain", "wind", "snow", "cloud", "storm", "sun", "cold", "warm"]),
        ];
        var rows = new System.Text.StringBuilder();
        foreach (var (label, count, words) in topics)
        {
            for (var i = 0; i < count; i++)
            {
                var text = $"the {words[i % words.Length]} and the {words[(i / 2 + 3) % words.Length]} were in the news on day {i} , said the {words[(i / 3 + 5) % words.Length]} report .";
                rows.AppendLine(JsonSerializer.Serialize(new { text, label }));
            }
        }

        var uploads = fixture.Blobs.GetBlobContainerClient(Contracts.Storage.StorageLayout.UploadsContainer);
        await uploads.GetBlobClient("labeled/topics/topics.jsonl").UploadAsync(BinaryData.FromString(rows.ToString()), overwrite: true, ct);
        var runner = new LocalIngestionRunner(new IngestionSteps(fixture.Blobs, NullLogger<IngestionSteps>.Instance), TimeProvider.System);
        var topicsVersion = await runner.RunAsync(new IngestionRequest
        {
            Dataset = "topics",
            Kind = DatasetKind.Classification,
            Vocabulary = fixture.VocabularyBlob,
            Reading = new IngestionOptions { Labeled = true },
            Classification = new ClassificationOptions { MaxSeqLen = 64 },
        }, null, ct);
        return topicsVersion.Version;
    }
}
