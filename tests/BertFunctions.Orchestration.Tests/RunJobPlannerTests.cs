using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The jobs of one training run: which stages a strategy has, what each starts from and what it reads.</summary>
public sealed class RunJobPlannerTests
{
    private static readonly IngestedDataset Labeled = new("spam", "v-labeled", false, 100, ["ham", "spam"], new Dictionary<string, int>());
    private static readonly IngestedDataset Text = new("spam", "v-text", false, 100, [], new Dictionary<string, int>());

    [Theory]
    [InlineData(TrainingStrategy.Finetune, false)]
    [InlineData(TrainingStrategy.Embeddings, false)]
    [InlineData(TrainingStrategy.Dapt, true)]
    [InlineData(TrainingStrategy.Tapt, true)]
    [InlineData(TrainingStrategy.Scratch, true)]
    public void Only_the_adapting_strategies_pretrain(TrainingStrategy strategy, bool pretrains) =>
        Assert.Equal(pretrains, RunJobPlanner.Pretrains(strategy));

    [Theory]
    [InlineData(TrainingStrategy.Dapt, false, false)]
    [InlineData(TrainingStrategy.Dapt, true, true)]
    [InlineData(TrainingStrategy.Tapt, false, true)] // the task's own text, whatever raw/ holds
    [InlineData(TrainingStrategy.Scratch, false, false)]
    public void Tapt_always_adapts_on_the_labeled_texts(TrainingStrategy strategy, bool noRawUploads, bool fromLabeled) =>
        Assert.Equal(fromLabeled, RunJobPlanner.TextFromLabeled(strategy, noRawUploads));

    [Fact]
    public void Finetune_is_one_classify_job_from_the_base_model_packaged_as_the_run()
    {
        var request = new TrainingRunRequest { Dataset = "spam", Model = "filter" };

        var job = RunJobPlanner.Classify("run1", request, Labeled, RunJobPlanner.FineTuningBase(ModelBase.MiniLm, null));

        Assert.Equal(("run1-cls", JobMode.Classify, ModelBase.MiniLm), (job.JobId, job.Mode, job.Base));
        Assert.Equal(new DatasetReference("spam", "v-labeled"), job.Dataset);
        Assert.Equal(new ModelPackageReference("filter", "run1"), job.Output);
        Assert.Equal(TrainingRecipes.DefaultFineTuning.Epochs, job.Hyperparameters.Epochs);
        Assert.False(job.Hyperparameters.FreezeEncoder);
    }

    [Fact]
    public void Dapt_pretrains_the_base_model_and_fine_tunes_from_its_checkpoint()
    {
        var request = new TrainingRunRequest { Dataset = "spam", Strategy = TrainingStrategy.Dapt };
        var from = new ModelBase(ModelBaseKind.HfDirectory, "hf/bert");

        var mlm = RunJobPlanner.Pretraining("run1", request, Text, from);
        var classify = RunJobPlanner.Classify("run1", request, Labeled, RunJobPlanner.FineTuningBase(from, mlm));

        Assert.Equal(("run1-mlm", JobMode.Mlm, from, (System.Text.Json.JsonElement?)null), (mlm.JobId, mlm.Mode, mlm.Base, mlm.Config));
        Assert.Equal(new DatasetReference("spam", "v-text"), mlm.Dataset);
        Assert.Equal(TrainingRecipes.DefaultPretraining.MaxSteps, mlm.Hyperparameters.MaxSteps);
        Assert.Equal(new ModelBase(ModelBaseKind.Checkpoint, "run1-mlm"), classify.Base);
    }

    [Fact]
    public void Scratch_pretrains_from_random_initialisation_in_the_default_shape()
    {
        var request = new TrainingRunRequest { Dataset = "spam", Strategy = TrainingStrategy.Scratch };

        var mlm = RunJobPlanner.Pretraining("run1", request, Text, ModelBase.MiniLm);

        Assert.Equal(ModelBase.None, mlm.Base);
        Assert.Equal(384, mlm.Config!.Value.GetProperty("hidden_size").GetInt32());
    }

    [Fact]
    public void Embeddings_trains_a_linear_classifier_on_the_frozen_encoder()
    {
        var request = new TrainingRunRequest { Dataset = "spam", Strategy = TrainingStrategy.Embeddings };

        var job = RunJobPlanner.Classify("run1", request, Labeled, ModelBase.MiniLm);

        Assert.Equal((true, TrainingRecipes.EmbeddingsLearningRate, 0.0), (job.Hyperparameters.FreezeEncoder, job.Hyperparameters.LearningRate, job.Hyperparameters.HiddenDropout));
    }

    [Theory]
    [InlineData(TrainingStrategy.Finetune)]
    [InlineData(TrainingStrategy.Embeddings)]
    [InlineData(TrainingStrategy.Dapt)]
    public void Class_weighted_loss_asked_for_in_a_request_or_the_settings_blob_reaches_the_fine_tune_job(TrainingStrategy strategy)
    {
        var name = TrainingStrategyNames.Name(strategy);
        var labeled = Labeled with { Version = "v1a2b3c" }; // a version id the trainer accepts

        // POST /api/training's body, and uploads/config/{dataset}.json (which may leave the dataset out).
        var posted = TrainingRunRequest.FromJson($$"""{"dataset": "spam", "strategy": "{{name}}", "fine_tuning": {"class_weights": true, "epochs": 3} }""");
        var configured = UploadInspector.RequestFor("spam", new UploadsSummary(1, 0, "fingerprint", $$"""{"strategy": "{{name}}", "fine_tuning": {"class_weights": true} }"""));
        var unweighted = TrainingRunRequest.FromJson($$"""{"dataset": "spam", "strategy": "{{name}}"}""");

        foreach (var request in (TrainingRunRequest[])[posted, configured])
        {
            var job = RunJobPlanner.Classify("run1", request, labeled, ModelBase.MiniLm);

            // As the trainer reads the queued spec.
            var sent = TrainingJobSpec.FromJson(job.ToJson());
            Assert.True(sent.Hyperparameters.ClassWeights, $"{name}: {job.ToJson()}");
            Assert.Contains("\"class_weights\": true", job.ToJson(), StringComparison.Ordinal);
        }

        Assert.Equal(3, RunJobPlanner.Classify("run1", posted, labeled, ModelBase.MiniLm).Hyperparameters.Epochs); // the rest of the recipe as given
        Assert.False(TrainingJobSpec.FromJson(RunJobPlanner.Classify("run1", unweighted, labeled, ModelBase.MiniLm).ToJson()).Hyperparameters.ClassWeights);
    }

    [Fact]
    public void The_baseline_job_reads_what_the_fine_tune_reads_and_packages_nothing()
    {
        var request = new TrainingRunRequest { Dataset = "spam", Seed = 7, FineTuning = TrainingRecipes.DefaultFineTuning with { TrainExamples = 200 } };
        var labeled = Labeled with { Version = "12717b25e53e26555c8fcd3ab30a4bc3" };
        var classify = RunJobPlanner.Classify("run1", request, labeled, ModelBase.MiniLm);

        var baseline = RunJobPlanner.Baseline("run1", classify);

        Assert.Equal(("run1-tfidf", JobMode.Baseline, ModelBase.None), (baseline.JobId, baseline.Mode, baseline.Base));
        Assert.Equal((classify.Dataset, classify.Seed, 200), (baseline.Dataset, baseline.Seed, baseline.Hyperparameters.TrainExamples)); // the same examples
        Assert.Null(baseline.Output);
        Assert.Same(baseline, baseline.Validate()); // a job spec the trainer accepts
    }

    [Fact]
    public void The_fine_tune_is_class_weighted_as_the_imbalance_policy_decides()
    {
        var imbalanced = ImbalancePolicy.Assess(new Dictionary<string, long> { ["ham"] = 900, ["spam"] = 100 }, requested: null);
        var request = new TrainingRunRequest { Dataset = "spam" };

        Assert.Equal(ImbalancePolicy.DefaultClassWeights, RunJobPlanner.Classify("r", request, Labeled, ModelBase.MiniLm, imbalanced).Hyperparameters.ClassWeights);
        Assert.False(RunJobPlanner.Classify("r", request, Labeled, ModelBase.MiniLm).Hyperparameters.ClassWeights);

        var off = request with { FineTuning = TrainingRecipes.DefaultFineTuning with { ClassWeights = false } };
        Assert.False(RunJobPlanner.Classify("r", off, Labeled, ModelBase.MiniLm, ImbalancePolicy.Assess(new Dictionary<string, long> { ["ham"] = 900, ["spam"] = 100 }, requested: false)).Hyperparameters.ClassWeights);
    }
}
