using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Measuring the champion: a new job per decision attempt, ids the event router maps back, and no job when its metrics stand.</summary>
public sealed class ChampionJobsTests
{
    private static readonly IngestedDataset Labeled = new("spam", "v2", false, 100, ["ham", "spam"], new Dictionary<string, int>());

    private static LiveModel Live(string datasetVersion, string vocabulary = "bundled") => new()
    {
        Name = "spam",
        Version = "old",
        Package = "spam/old/",
        Metrics = new Dictionary<string, double> { ["validation.macro_f1"] = 0.9 },
        DatasetVersion = datasetVersion,
        Vocabulary = vocabulary,
        RunId = "old-run",
        PromotedAt = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData(1, "spam-finetune-abc-champ")]
    [InlineData(2, "spam-finetune-abc-champ2")]
    [InlineData(5, "spam-finetune-abc-champ5")]
    public void A_runs_champion_jobs_are_numbered_after_the_first(int attempt, string jobId)
    {
        Assert.Equal(jobId, ChampionJobs.OfRun("spam-finetune-abc", attempt));
    }

    [Theory]
    [InlineData(1, "exp-spam-abc--champion")]
    [InlineData(3, "exp-spam-abc--champion3")]
    public void An_experiments_champion_jobs_are_numbered_after_the_first(int attempt, string jobId)
    {
        Assert.Equal(jobId, ChampionJobs.OfExperiment("exp-spam-abc", attempt));
    }

    [Fact]
    public void Metrics_measured_on_the_same_dataset_version_stand()
    {
        Assert.True(ChampionJobs.MeasuredOn(Live("v2"), Labeled));
        Assert.False(ChampionJobs.MeasuredOn(Live("v1"), Labeled));
    }

    [Fact]
    public void A_champion_with_another_vocabulary_reads_the_documents_in_its_own()
    {
        Assert.False(ChampionJobs.NeedsOwnVocabulary(Live("v1"), "bundled"));
        Assert.True(ChampionJobs.NeedsOwnVocabulary(Live("v1", "domain-vocab"), "bundled"));
    }

    [Fact]
    public void The_evaluate_job_reads_the_live_package_on_the_given_data()
    {
        var job = ChampionJobs.Evaluate("run-champ", Live("v1"), Labeled, 7);

        Assert.Equal(("run-champ", JobMode.Evaluate, 7), (job.JobId, job.Mode, job.Seed));
        Assert.Equal(new ModelBase(ModelBaseKind.Package, "spam/old"), job.Base);
        Assert.Equal(new DatasetReference("spam", "v2"), job.Dataset);
        Assert.Null(job.Output);
    }
}
