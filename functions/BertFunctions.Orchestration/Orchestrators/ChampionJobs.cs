using System.Globalization;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Measuring the live model on a challenger's split: whether it must be measured at all, and the evaluate job that
/// does it. Each decision attempt against a new champion is a new job id (a lost promotion race means another model).
/// </summary>
public static class ChampionJobs
{
    /// <summary>A run's champion job: <c>{run}-champ</c>, then <c>-champ2</c>, <c>-champ3</c>... .</summary>
    public static string OfRun(string runId, int attempt) =>
        RunIds.Job(runId, RunIds.ChampionStage + (attempt == 1 ? "" : attempt.ToString(CultureInfo.InvariantCulture)));

    /// <summary>An experiment's champion job: <c>{experiment}--champion</c>, then <c>--champion2</c>...</summary>
    public static string OfExperiment(string experimentId, int attempt) =>
        RunIds.ExperimentJob(experimentId, attempt == 1 ? "champion" : string.Create(CultureInfo.InvariantCulture, $"champion{attempt}"));

    /// <summary>The live model's recorded metrics stand when they were measured on the challenger's dataset version.</summary>
    public static bool MeasuredOn(LiveModel live, IngestedDataset labeled)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(labeled);
        return live.DatasetVersion == labeled.Version;
    }

    /// <summary>Whether the challenger's documents must be tokenized again with the champion's vocabulary before it can be measured on them.</summary>
    public static bool NeedsOwnVocabulary(LiveModel live, string vocabulary)
    {
        ArgumentNullException.ThrowIfNull(live);
        return live.Vocabulary != vocabulary;
    }

    /// <summary>The evaluate job of the live model's package on <paramref name="data"/> (the challenger's documents in the champion's vocabulary).</summary>
    public static TrainingJobSpec Evaluate(string jobId, LiveModel live, IngestedDataset data, int seed)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(data);
        return new()
        {
            JobId = jobId,
            Mode = JobMode.Evaluate,
            Base = new ModelBase(ModelBaseKind.Package, live.Package.TrimEnd('/')),
            Dataset = new DatasetReference(data.Dataset, data.Version),
            Seed = seed,
        };
    }
}
