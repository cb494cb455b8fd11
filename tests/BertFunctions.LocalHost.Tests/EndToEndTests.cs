using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Api;

namespace BertFunctions.LocalHost.Tests;

/// <summary>
/// The whole pipeline on the local host with every real part: Azurite, the in-process Durable engine, the upload
/// watcher, the trainer worker as a child process training a tiny BERT. Upload-driven and HTTP-driven runs, and a
/// restart of the host in the middle of a run.
/// </summary>
public sealed class EndToEndTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
{
    // A tiny BERT pretrained from scratch: every stage of the longest strategy (vocabulary, MLM, fine-tune, export) in seconds.
    private const string TinyScratch = """
        {
          "strategy": "scratch",
          "vocabulary_size": 1000,
          "scratch_config": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 128},
          "pretraining": {"max_steps": 4, "batch_size": 8, "eval_every_steps": 4, "checkpoint_every_steps": 2, "learning_rate": 0.001},
          "fine_tuning": {"max_steps": 4, "batch_size": 8, "eval_every_steps": 4, "checkpoint_every_steps": 2, "learning_rate": 0.001}
        }
        """;

    [Fact]
    public async Task Uploading_a_corpus_and_its_settings_trains_promotes_and_lists_a_model()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: true);
        await fixture.UploadSpamAsync("e2e", perLabel: 12);
        await fixture.UploadAsync(StorageLayout.DatasetSettings("e2e"), TinyScratch);

        // The upload watcher signals the dataset's scheduler; its custom status names the run once it starts.
        var runId = await WaitForSchedulerRunAsync(host, "e2e", TimeSpan.FromMinutes(1));
        var status = await host.WaitForRunAsync(runId, TimeSpan.FromMinutes(4));

        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error} {status.Message}");
        Assert.True(status.Outcome!.Promoted, status.Outcome.Reason);
        Assert.StartsWith("first model for this name", status.Outcome.Reason, StringComparison.Ordinal); // nothing was live: no comparison was owed
        // The reported test accuracy is that of the job's own per-example predictions on the whole test split.
        var checkpoints = fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        var job = $"{runId}-cls";
        var latest = JsonDocument.Parse((await checkpoints.GetBlobClient($"{job}/latest.json").DownloadContentAsync(ct)).Value.Content.ToString()).RootElement;
        var folder = latest.GetProperty("folder").GetString()!;
        folder = folder[(folder.IndexOf(job, StringComparison.Ordinal))..];
        using var metrics = JsonDocument.Parse((await checkpoints.GetBlobClient($"{folder}metrics.json").DownloadContentAsync(ct)).Value.Content.ToString());
        var test = metrics.RootElement.GetProperty("splits").GetProperty("test").GetProperty("classification");
        var truth = test.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var predicted = test.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Count, status.Outcome.Metrics!["test.accuracy"], 9);
        // And the promoted model is the one that answers classify calls, with the dataset's labels.
        using var classify = await host.Http.PostAsJsonAsync("/api/classify", new { texts = (string[])["Win a FREE cruise now!!!", "Minutes of Tuesday's meeting attached."], model = "e2e" }, ct);
        Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        var answer = JsonDocument.Parse(await classify.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Equal(runId, answer.GetProperty("version").GetString());
        Assert.All(answer.GetProperty("results").EnumerateArray(), r => Assert.Contains(r.GetProperty("label").GetString(), (string[])["ham", "spam"]));
        var models = await host.Http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TrainingApi.JsonOptions, ct);
        var model = Assert.Single(models!, m => m.Name == "e2e");
        Assert.Equal(runId, model.Live!.Version);
        Assert.Contains(model.Versions, v => v.Version == runId && v.IsLive && v.Metrics!.ContainsKey("test.macro_f1"));
    }

    [Fact]
    public async Task A_worse_challenger_trained_for_real_is_refused_by_the_gate_and_the_live_model_keeps_serving()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await fixture.StartHostAsync(trainer: true);
        await fixture.UploadSpamAsync("gate", perLabel: 40);

        // The champion: the bundled MiniLM fine-tuned for three epochs. The challenger: one step at a learning rate
        // that moves nothing, so its classifier head is as initialised. Both real trainer jobs on the same uploads.
        var champion = await TrainAsync(host, """{"dataset": "gate", "model": "gate", "fine_tuning": {"max_steps": 30, "batch_size": 8, "learning_rate": 0.0001, "eval_every_steps": 30, "checkpoint_every_steps": 30}}""", ct);
        Assert.True(champion.Outcome!.Promoted, champion.Outcome.Reason);
        var challenger = await TrainAsync(host, """{"dataset": "gate", "model": "gate", "fine_tuning": {"max_steps": 1, "batch_size": 8, "learning_rate": 1e-12, "eval_every_steps": 1, "checkpoint_every_steps": 1}}""", ct);

        // The gate ran the real evaluate job of the live model on the challenger's validation split, and refused.
        var outcome = challenger.Outcome!;
        Assert.False(outcome.Promoted, outcome.Reason);
        Assert.Contains("does not beat the live model's", outcome.Reason, StringComparison.Ordinal);
        Assert.True(outcome.ChampionMetrics!["validation.macro_f1"] > outcome.Metrics!["validation.macro_f1"], outcome.Reason);
        var models = await host.Http.GetFromJsonAsync<List<ModelSummary>>("/api/models", TrainingApi.JsonOptions, ct);
        Assert.Equal(champion.Id, Assert.Single(models!, m => m.Name == "gate").Live!.Version);
        using var classify = await host.Http.PostAsJsonAsync("/api/classify", new { texts = (string[])["Minutes of Tuesday's meeting attached."], model = "gate" }, ct);
        Assert.Equal(champion.Id, JsonDocument.Parse(await classify.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("version").GetString());
    }

    private static async Task<RunStatusResponse> TrainAsync(RunningHost host, string request, CancellationToken ct)
    {
        using var body = new StringContent(request, System.Text.Encoding.UTF8, "application/json");
        using var response = await host.Http.PostAsync("/api/training", body, ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<RunAccepted>(TrainingApi.JsonOptions, ct))!.Id;
        var status = await host.WaitForRunAsync(id, TimeSpan.FromMinutes(6));
        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error} {status.Message}");
        return status;
    }

    [Fact]
    public async Task A_run_interrupted_by_a_host_restart_is_resumed_by_the_next_host_and_completes()
    {
        var ct = TestContext.Current.CancellationToken;
        // The settings blob makes the upload-driven run and the HTTP request the same run (same request, same uploads).
        await fixture.UploadSpamAsync("restart", perLabel: 12);
        await fixture.UploadAsync(StorageLayout.DatasetSettings("restart"), TinyScratch);
        using var body = JsonContent.Create(JsonSerializer.Deserialize<JsonElement>(TinyScratch.Replace("\"strategy\"", "\"dataset\": \"restart\", \"strategy\"", StringComparison.Ordinal)));
        string runId;

        // Host 1 has no trainer: the run gets as far as dispatching its MLM job, then the host stops.
        await using (var first = await fixture.StartHostAsync(trainer: false))
        {
            var response = await first.Http.PostAsync("/api/training", body, ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            runId = (await response.Content.ReadFromJsonAsync<RunAccepted>(TrainingApi.JsonOptions, ct))!.Id;
            var waiting = await first.WaitForRunAsync(runId, TimeSpan.FromMinutes(2), s => s.Job is not null);
            Assert.Equal("Running", waiting.RuntimeStatus);
        }

        // Host 2 (a fresh in-memory engine) finds the run's record, resumes it, and its trainer finishes the jobs.
        await using var second = await fixture.StartHostAsync(trainer: true);
        var status = await second.WaitForRunAsync(runId, TimeSpan.FromMinutes(4));
        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error} {status.Message}");
        Assert.True(status.Outcome!.Promoted, status.Outcome.Reason);
    }

    [Fact]
    public async Task A_run_interrupted_longer_ago_than_the_resume_limit_is_closed_with_the_reason_not_resumed()
    {
        var ct = TestContext.Current.CancellationToken;
        var runs = fixture.Blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        await runs.CreateIfNotExistsAsync(cancellationToken: ct);
        var stale = new Orchestration.Contracts.RunRecord
        {
            Id = "stale-finetune-0123456789ab",
            Request = new Orchestration.Contracts.TrainingRunRequest { Dataset = "stale" },
            State = Orchestration.Contracts.RunStates.Running,
            StartedAt = DateTimeOffset.UtcNow.AddDays(-30),
        };
        await JsonBlobs.WriteAsync(runs, StorageLayout.RunRecord(stale.Id), stale, Orchestration.Contracts.RunRecord.JsonOptions, ct);

        await using var host = await fixture.StartHostAsync(trainer: false);
        Orchestration.Contracts.RunRecord? record = null;
        for (var i = 0; i < 100 && record?.State != Orchestration.Contracts.RunStates.Failed; i++)
        {
            await Task.Delay(100, ct);
            record = await JsonBlobs.TryReadAsync<Orchestration.Contracts.RunRecord>(runs, StorageLayout.RunRecord(stale.Id), Orchestration.Contracts.RunRecord.JsonOptions, ct);
        }

        Assert.Equal(Orchestration.Contracts.RunStates.Failed, record!.State);
        Assert.StartsWith("interrupted by a restart of the host and not resumed: it started 30 days ago", record.Error, StringComparison.Ordinal);
        var client = (Microsoft.DurableTask.Client.DurableTaskClient)host.App.Services.GetService(typeof(Microsoft.DurableTask.Client.DurableTaskClient))!;
        Assert.Null(await client.GetInstanceAsync(stale.Id, ct)); // nothing was started for it
    }

    private static async Task<string> WaitForSchedulerRunAsync(RunningHost host, string dataset, TimeSpan limit)
    {
        var client = host.App.Services.GetService(typeof(Microsoft.DurableTask.Client.DurableTaskClient)) as Microsoft.DurableTask.Client.DurableTaskClient;
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var scheduler = await client!.GetInstanceAsync($"retrain-{dataset}", getInputsAndOutputs: true, TestContext.Current.CancellationToken);
            if (scheduler?.SerializedCustomStatus is { Length: > 0 } && scheduler.ReadCustomStatusAs<Orchestration.Contracts.RunStatus>() is { Phase: "running", Job: { } runId })
            {
                return runId;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"the upload watcher did not start a run for {dataset} within {limit}");
    }
}
