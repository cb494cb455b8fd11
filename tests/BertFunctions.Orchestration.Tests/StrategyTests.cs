using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask.Client;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The happy path of each strategy: what is ingested, which trainer jobs run in which order, and what is promoted.</summary>
public sealed class StrategyTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Finetune_ingests_the_labeled_uploads_trains_one_classifier_and_promotes_the_first_model()
    {
        await fixture.UploadSpamAsync("ft", perLabel: 20);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "ft" });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var outcome = run.ReadOutputAs<RunOutcome>()!;
        Assert.True(outcome.Promoted, outcome.Reason);
        Assert.Contains("first model", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal([JobMode.Baseline, JobMode.Classify], trainer.Received.Select(j => j.Mode)); // the TF-IDF baseline first (BaselineRunTests)
        var job = Assert.Single(trainer.BertJobs);
        Assert.Equal(JobMode.Classify, job.Mode);
        Assert.Equal(ModelBase.MiniLm, job.Base);
        Assert.Equal(outcome.DatasetVersions!["labeled"], job.Dataset.Version);
        Assert.True(await Runs.ManifestExistsAsync(fixture, "ft", job.Dataset.Version));
        Assert.Equal(new ModelPackageReference("ft", id), job.Output);

        var live = await Runs.LiveAsync(fixture, "ft");
        Assert.Equal(id, live!.Version);
        Assert.Equal(0.88, live.Metrics["test.macro_f1"]);
        Assert.Equal(RunStates.Completed, (await Runs.RecordAsync(fixture, id))!.State);
        Assert.Equal(100, run.ReadCustomStatusAs<RunStatus>()!.Percent);
    }

    [Fact]
    public async Task Dapt_pretrains_on_the_domain_text_then_fine_tunes_from_that_checkpoint()
    {
        await fixture.UploadSpamAsync("dapt", perLabel: 15);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "dapt", Strategy = TrainingStrategy.Dapt });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal([JobMode.Mlm, JobMode.Baseline, JobMode.Classify], trainer.Received.Select(j => j.Mode)); // the baseline just before the fine-tune
        var jobs = trainer.BertJobs;
        Assert.Equal([JobMode.Mlm, JobMode.Classify], jobs.Select(j => j.Mode)); // a single run adapts without a separate head fitting (experiments fit one)
        Assert.Equal(ModelBase.MiniLm, jobs[0].Base);
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, jobs[0].JobId), jobs[1].Base);
        var outcome = run.ReadOutputAs<RunOutcome>()!;
        Assert.Equal(outcome.DatasetVersions!["text"], jobs[0].Dataset.Version);
        Assert.NotEqual(jobs[0].Dataset.Version, jobs[1].Dataset.Version);

        // No leakage into pretraining: the text (the labeled emails read as text) puts every email in the split the
        // labeled dataset put it in, so no validation or test email is in the MLM training text.
        var assignments = await SplitsByIngestionRunAsync("dapt");
        Assert.Equal(2, assignments.Count);
        var (labeled, text) = (assignments[0], assignments[1]);
        Assert.Equal(30, labeled.Count);
        Assert.Equal(labeled.OrderBy(kv => kv.Key), text.OrderBy(kv => kv.Key));
        Assert.Contains(labeled.Values, s => s == Pipeline.Ingestion.Splits.Code(Pipeline.Ingestion.Splits.Test));
    }

    [Fact]
    public async Task Tapt_pretrains_on_the_task_texts_even_when_the_dataset_has_domain_text()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.UploadSpamAsync("tapt-run", perLabel: 10);
        await fixture.UploadAsync("raw/tapt-run/domain.txt", "Domain text that is not the task's own, about networks and mail servers.\n\nAnother paragraph of it.");
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "tapt-run", Strategy = TrainingStrategy.Tapt });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var jobs = trainer.BertJobs;
        Assert.Equal([JobMode.Mlm, JobMode.Classify], jobs.Select(j => j.Mode));
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, jobs[0].JobId), jobs[1].Base);
        var manifest = await fixture.Get<Pipeline.Ingestion.IngestionSteps>().ReadManifestAsync("tapt-run", jobs[0].Dataset.Version, ct);
        Assert.Equal(20, manifest.Inputs.Count);
        Assert.All(manifest.Inputs, i => Assert.StartsWith("labeled/tapt-run/", i.Blob, StringComparison.Ordinal)); // the task's texts, not raw/
    }

    [Fact]
    public async Task Embeddings_trains_a_classifier_on_the_frozen_base_model_and_pretrains_nothing()
    {
        await fixture.UploadSpamAsync("emb", perLabel: 12);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "emb", Strategy = TrainingStrategy.Embeddings });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal([JobMode.Baseline, JobMode.Classify], trainer.Received.Select(j => j.Mode)); // no MLM job
        var job = trainer.BertJobs[0];
        Assert.Equal((JobMode.Classify, ModelBase.MiniLm), (job.Mode, job.Base));
        Assert.True(job.Hyperparameters.FreezeEncoder);
        Assert.Equal((TrainingRecipes.EmbeddingsLearningRate, 0.0), (job.Hyperparameters.LearningRate, job.Hyperparameters.HiddenDropout));
        Assert.True(run.ReadOutputAs<RunOutcome>()!.Promoted);
    }

    /// <summary>Per ingestion run of a dataset (work files under <c>datasets/{dataset}/runs/</c>): each document's split code by content hash.</summary>
    private async Task<List<Dictionary<string, byte>>> SplitsByIngestionRunAsync(string dataset)
    {
        var datasets = fixture.Blobs.GetBlobContainerClient(BertFunctions.Contracts.Storage.StorageLayout.DatasetsContainer);
        var units = new List<string>();
        await foreach (var blob in datasets.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{dataset}/runs/", TestContext.Current.CancellationToken))
        {
            if (blob.Name.EndsWith(".docs.jsonl.gz", StringComparison.Ordinal))
            {
                units.Add(blob.Name);
            }
        }

        var result = new List<Dictionary<string, byte>>();
        foreach (var run in units.GroupBy(u => u[..u.IndexOf("/units/", StringComparison.Ordinal)]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var splits = new Dictionary<string, byte>(StringComparer.Ordinal);
            foreach (var unit in run)
            {
                var codes = (await datasets.GetBlobClient(unit.Replace(".docs.jsonl.gz", ".assign.bin", StringComparison.Ordinal)).DownloadContentAsync()).Value.Content.ToArray();
                var position = 0;
                await using var stream = await datasets.GetBlobClient(unit).OpenReadAsync();
                await foreach (var document in BertFunctions.Datasets.UnitDocumentFile.ReadAsync(stream, TestContext.Current.CancellationToken))
                {
                    splits.TryAdd(document.Hash, codes[position++]); // a duplicate keeps its first occurrence, as ingestion does
                }
            }

            result.Add(splits);
        }

        return result;
    }

    [Fact]
    public async Task The_request_precision_reaches_every_job_unless_a_phase_sets_its_own()
    {
        await fixture.UploadSpamAsync("prec", perLabel: 15);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest
        {
            Dataset = "prec",
            Strategy = TrainingStrategy.Dapt,
            Precision = "fp32",
            FineTuning = TrainingRecipes.DefaultFineTuning with { Precision = "bf16" },
        });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal([("mlm", "fp32"), ("classify", "bf16")], trainer.BertJobs.Select(j => (j.Mode == JobMode.Mlm ? "mlm" : "classify", j.Hyperparameters.Precision)));
        Assert.Equal("auto", new TrainingRunRequest { Dataset = "x" }.WithPrecision(new Hyperparameters()).Precision);
        Assert.Contains("precision", Assert.Throws<RunRequestException>(() => TrainingRunRequest.FromJson("{\"dataset\": \"spam\", \"precision\": \"fp16\"}")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scratch_trains_a_domain_vocabulary_pretrains_from_random_weights_then_fine_tunes()
    {
        await fixture.UploadSpamAsync("scratch", perLabel: 15);
        await using var trainer = new ScriptedTrainer(fixture, (spec, _) => ScriptedTrainer.Succeed(spec));

        var id = await Runs.StartAsync(fixture, new TrainingRunRequest { Dataset = "scratch", Strategy = TrainingStrategy.Scratch, VocabularySize = 2_000 });
        var run = await Runs.WaitAsync(fixture, id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal([JobMode.Mlm, JobMode.Baseline, JobMode.Classify], trainer.Received.Select(j => j.Mode));
        var jobs = trainer.BertJobs;
        Assert.Equal([JobMode.Mlm, JobMode.Classify], jobs.Select(j => j.Mode));
        Assert.Equal(ModelBase.None, jobs[0].Base);
        Assert.Equal(384, jobs[0].Config!.Value.GetProperty("hidden_size").GetInt32());
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, jobs[0].JobId), jobs[1].Base);

        // Both datasets are tokenized with the trained vocabulary, not the bundled one.
        var steps = fixture.Get<Pipeline.Ingestion.IngestionSteps>();
        var manifest = await steps.ReadManifestAsync("scratch", jobs[1].Dataset.Version, TestContext.Current.CancellationToken);
        Assert.InRange(manifest.VocabularySize, 500, 2_000);
        Assert.Equal(manifest.VocabularySha256, (await steps.ReadManifestAsync("scratch", jobs[0].Dataset.Version, TestContext.Current.CancellationToken)).VocabularySha256);
    }

    [Theory]
    [InlineData("{\"dataset\": \"spam\", \"base_model\": null}", "base_model")]
    [InlineData("{\"dataset\": \"spam\", \"promotion_metric\": null}", "promotion_metric")]
    [InlineData("{\"dataset\": \"spam\", \"fine_tuning\": {\"precision\": null}}", "precision")]
    [InlineData("{\"dataset\": \"spam\", \"reading\": {\"include\": null}}", "include")]
    public void A_null_where_a_value_is_required_is_a_request_error_that_names_the_field(string json, string field) =>
        Assert.Contains(field, Assert.Throws<RunRequestException>(() => TrainingRunRequest.FromJson(json)).Message, StringComparison.Ordinal);

    [Fact]
    public void Every_strategy_has_one_name_json_reads_back_and_a_slug_fit_for_ids()
    {
        foreach (var strategy in Enum.GetValues<TrainingStrategy>())
        {
            var name = TrainingStrategyNames.Name(strategy);
            Assert.Equal(strategy, System.Text.Json.JsonSerializer.Deserialize<TrainingStrategy>($"\"{name}\""));
            Assert.Matches("^[a-z]+(-[a-z]+)*$", TrainingStrategyNames.Slug(strategy));
        }

        Assert.Equal(("dapt+tapt", "dapt-tapt"), (TrainingStrategyNames.Name(TrainingStrategy.DaptTapt), TrainingStrategyNames.Slug(TrainingStrategy.DaptTapt)));
    }

    [Fact]
    public void The_tf_idf_baseline_is_an_experiment_arm_and_a_training_run_refuses_it()
    {
        var e = Assert.Throws<RunRequestException>(() => TrainingRunRequest.FromJson("{\"dataset\": \"spam\", \"strategy\": \"baseline\"}"));
        Assert.Contains("baseline and dapt+tapt are experiment arms", e.Message, StringComparison.Ordinal);
        Assert.Contains(TrainingStrategy.Baseline, ExperimentRequest.FromJson("{\"dataset\": \"spam\"}").Strategies); // one of the defaults
        Assert.Equal([TrainingStrategy.Baseline], ExperimentRequest.FromJson("{\"dataset\": \"spam\", \"strategies\": [\"baseline\"]}").Strategies); // and may be the only arm
        // TAPT is a run's strategy too (one MLM stage); DAPT+TAPT, two stages, is an experiment arm.
        Assert.Equal(TrainingStrategy.Tapt, TrainingRunRequest.FromJson("{\"dataset\": \"spam\", \"strategy\": \"tapt\"}").Strategy);
        Assert.Contains("experiment arms", Assert.Throws<RunRequestException>(() => TrainingRunRequest.FromJson("{\"dataset\": \"spam\", \"strategy\": \"dapt+tapt\"}")).Message, StringComparison.Ordinal);
        Assert.Equal([TrainingStrategy.DaptTapt], ExperimentRequest.FromJson("{\"dataset\": \"spam\", \"strategies\": [\"dapt+tapt\"]}").Strategies);
    }
}
