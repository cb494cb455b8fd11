namespace BertFunctions.Training.Checkpoints;

/// <summary>Where a job's checkpoints live.</summary>
public interface ICheckpointStore
{
    /// <summary>
    /// Uploads every file of <paramref name="folder"/> as the checkpoint of <paramref name="atStep"/>, then its manifest,
    /// then moves the job's latest pointer to it, then deletes all but the newest <paramref name="keep"/> checkpoints.
    /// </summary>
    /// <returns>The checkpoint's location, <c>checkpoints/{job}/step-NNNNNNNN/</c>.</returns>
    Task<string> SaveAsync(string jobId, long atStep, string folder, int keep, CancellationToken cancellationToken);

    /// <summary>
    /// Downloads the newest intact checkpoint of <paramref name="jobId"/> into <paramref name="folder"/>: the one
    /// latest.json names, or, when that is corrupt or incomplete (a warning is logged), the newest earlier one that verifies.
    /// </summary>
    /// <returns>Null when the job has no checkpoint.</returns>
    Task<RestoredCheckpoint?> RestoreLatestAsync(string jobId, string folder, CancellationToken cancellationToken);
}
