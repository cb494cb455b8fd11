using System.Security.Cryptography;
using System.Text;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// Deterministic ids. A run's instance id derives from the dataset, the strategy and a hash of the uploads and the
/// request, so a replayed or duplicated event starts nothing new. Trainer job ids are the run id plus a stage suffix,
/// so that a job's checkpoints are recognisably its run's; events are routed by the run id the job spec carries.
/// </summary>
public static class RunIds
{
    /// <summary>Stages whose jobs a run dispatches.</summary>
    public const string MlmStage = "mlm";
    public const string ClassifyStage = "cls";
    public const string BaselineStage = "tfidf";
    public const string ChampionStage = "champ";

    /// <summary>The singleton scheduler of a dataset's upload-driven runs.</summary>
    public static string Scheduler(string dataset) => $"retrain-{dataset}";

    /// <summary><c>{dataset}-{strategy}-{hash}</c>, at most 56 characters so that job ids stay within 63.</summary>
    public static string Run(string dataset, TrainingStrategy strategy, string uploadsFingerprint, string requestHash)
    {
        return $"{Head(dataset, 30)}-{TrainingStrategyNames.Slug(strategy)}-{ContentHash(uploadsFingerprint, requestHash)}";
    }

    public static string Job(string runId, string stage) => $"{runId}-{stage}";

    /// <summary><c>exp-{dataset}-{hash}</c>: the same experiment request on the same uploads is the same experiment.</summary>
    public static string Experiment(string dataset, string uploadsFingerprint, string requestHash)
    {
        return $"exp-{Head(dataset, 20)}-{ContentHash(uploadsFingerprint, requestHash)}";
    }

    /// <summary>A trainer job of an experiment arm, e.g. <c>exp-spam-1a2b3c4d5e6f--ft-b200-s42</c>.</summary>
    public static string ExperimentJob(string experimentId, string arm) => $"{experimentId}--{arm}";

    private static string ContentHash(string uploadsFingerprint, string requestHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{uploadsFingerprint}\n{requestHash}")))[..12];

    /// <summary>The dataset name cut to keep ids (and the job ids built on them) within 63 characters.</summary>
    private static string Head(string dataset, int max) => dataset.Length > max ? dataset[..max].TrimEnd('-') : dataset;

    /// <summary>The external event a run waits on for one job's trainer events.</summary>
    public static string JobEvent(string jobId) => $"trainer:{jobId}";

    /// <summary>The external event that cancels a run.</summary>
    public const string CancelEvent = "cancel";

    /// <summary>The external event an upload raises on a dataset's scheduler.</summary>
    public const string UploadEvent = "upload";
}
