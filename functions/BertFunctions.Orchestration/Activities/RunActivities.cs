using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Vocabulary;
using BertFunctions.Tokenization.Training;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Orchestration.Activities;

public sealed record DispatchInput(string RunId, string JobId, string SpecJson, int Attempt);

/// <param name="Reading">How the uploads are read: for labeled uploads, as the labeled dataset reads them (labels included), so that the training split is the labeled dataset's.</param>
public sealed record VocabularyInput(string Dataset, bool FromLabeledUploads, int VocabularySize, bool LowerCase, IngestionOptions? Reading = null);

/// <summary>A dataset's uploads (counts, fingerprint, settings).</summary>
public sealed class InspectUploadsActivity(UploadInspector inspector) : TaskActivity<string, UploadsSummary>
{
    public override Task<UploadsSummary> RunAsync(TaskActivityContext context, string input) =>
        inspector.InspectAsync(BlobNames.Dataset(input), CancellationToken.None);
}

/// <summary>
/// Trains the domain WordPiece vocabulary for pretraining from scratch (content-addressed, so idempotent), on the
/// training split's text only: the split ingestion will assign (default ratios, as every request here ingests with).
/// </summary>
public sealed class TrainVocabularyActivity(VocabularyTraining training, Pipeline.Ingestion.IngestionSteps steps) : TaskActivity<VocabularyInput, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, VocabularyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        await steps.EnsureContainersAsync(CancellationToken.None).ConfigureAwait(false);
        var prefix = input.FromLabeledUploads ? StorageLayout.LabeledPrefix(input.Dataset) : StorageLayout.RawPrefix(input.Dataset);
        var options = new WordPieceTrainerOptions { VocabularySize = input.VocabularySize, Tokenizer = new Tokenization.BertTokenizerOptions { LowerCase = input.LowerCase } };
        var result = await training.TrainAsync(input.Dataset, prefix, input.Reading ?? new IngestionOptions(), options, CancellationToken.None, trainingSplitOf: new Pipeline.Ingestion.SplitRatios()).ConfigureAwait(false);
        return result.Blob;
    }
}

/// <summary>
/// Sends a trainer job to the <c>training-jobs</c> queue. A marker blob per job and attempt makes it idempotent: an
/// activity retried after the marker is written does not send the job twice. A send and a blob write cannot be one
/// step, so a crash between them sends the job again on retry, and either order has such a window (marker first would
/// lose the job instead). The order is send, then marker, because a duplicate is harmless where a loss is not: a
/// worker that receives the second copy while the first trains finds the job's worker lease taken and drops it, and a
/// copy delivered after the job finished reports the recorded result (docs/trainer.md).
/// </summary>
public sealed partial class DispatchTrainingJobActivity(BlobServiceClient blobs, QueueServiceClient queues, ILogger<DispatchTrainingJobActivity> logger) : TaskActivity<DispatchInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, DispatchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = TrainingJobSpec.FromJson(input.SpecJson); // refuse to send what the trainer would refuse
        var runs = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        await runs.CreateIfNotExistsAsync().ConfigureAwait(false);
        var marker = runs.GetBlobClient(StorageLayout.DispatchMarker(input.RunId, spec.JobId, input.Attempt));
        if (await marker.ExistsAsync().ConfigureAwait(false))
        {
            return false;
        }

        var jobs = queues.GetQueueClient(TrainingQueues.Jobs);
        await jobs.CreateIfNotExistsAsync().ConfigureAwait(false);
        await jobs.SendMessageAsync(input.SpecJson).ConfigureAwait(false);
        await marker.UploadAsync(BinaryData.FromString(input.SpecJson), overwrite: true).ConfigureAwait(false);
        LogDispatched(spec.JobId, input.Attempt);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatched trainer job {JobId} (attempt {Attempt})")]
    private partial void LogDispatched(string jobId, int attempt);
}

/// <summary>The live model (champion) of a name, or null, with the ETag a promotion must match.</summary>
public sealed class ReadLiveModelActivity(BlobServiceClient blobs) : TaskActivity<string, LiveModelRead>
{
    public override async Task<LiveModelRead> RunAsync(TaskActivityContext context, string input)
    {
        var (live, etag) = await JsonBlobs.TryReadWithETagAsync<LiveModel>(blobs.GetBlobContainerClient(StorageLayout.ModelsContainer), StorageLayout.LiveModel(input), LiveModel.JsonOptions, CancellationToken.None).ConfigureAwait(false);
        return new LiveModelRead(live, etag);
    }
}

/// <summary>
/// Makes a model version live, on one condition: <c>models/{name}/live.json</c> is still what the decision was made
/// against (the ETag read; none live when it was read without one). Two runs finishing together then cannot both
/// win: the one that writes second finds the pointer changed, gets false, and decides again against the new champion.
/// A retried write that had already succeeded also gets false, and the caller finds its own version live.
/// </summary>
public sealed class PromoteModelActivity(BlobServiceClient blobs) : TaskActivity<PromotionInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, PromotionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var models = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        await models.CreateIfNotExistsAsync().ConfigureAwait(false);
        return await JsonBlobs.TryWriteIfAsync(models, StorageLayout.LiveModel(input.Model.Name), input.Model, input.IfMatch, LiveModel.JsonOptions, CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>
/// Verifies a model package where it lies (manifest, every file's size and SHA-256) before anything points at it;
/// null when it verifies, else why not. Promotion trusts storage, not the trainer's report of what it wrote.
/// </summary>
public sealed class VerifyPackageActivity(BlobServiceClient blobs) : TaskActivity<PackageToVerify, string?>
{
    public override async Task<string?> RunAsync(TaskActivityContext context, PackageToVerify input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            await new ModelPackageReader(blobs).VerifyAsync(input.Name, input.Version, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException)
        {
            return e.Message;
        }
    }
}

/// <summary>Asks the trainer to stop a job (its run was cancelled): writes <c>checkpoints/{job}/cancel.json</c>, which the trainer looks for while it trains.</summary>
public sealed class RequestJobCancelActivity(BlobServiceClient blobs) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var checkpoints = blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        await checkpoints.CreateIfNotExistsAsync().ConfigureAwait(false);
        await checkpoints.GetBlobClient(StorageLayout.CancelRequest(input)).UploadAsync(BinaryData.FromString("{\"reason\": \"the run was cancelled\"}"), overwrite: true).ConfigureAwait(false);
        return true;
    }
}

/// <summary>Writes a run's record (<c>runs/{id}/run.json</c>); overwriting with the same content is harmless.</summary>
public sealed class RecordRunActivity(BlobServiceClient blobs) : TaskActivity<RunRecord, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, RunRecord input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var runs = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        await runs.CreateIfNotExistsAsync().ConfigureAwait(false);
        await JsonBlobs.WriteAsync(runs, StorageLayout.RunRecord(input.Id), input, RunRecord.JsonOptions, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}

/// <summary>A run's record, or null when there is none.</summary>
public sealed class ReadRunRecordActivity(BlobServiceClient blobs) : TaskActivity<string, RunRecord?>
{
    public override Task<RunRecord?> RunAsync(TaskActivityContext context, string input) =>
        JsonBlobs.TryReadAsync<RunRecord>(blobs.GetBlobContainerClient(StorageLayout.RunsContainer), StorageLayout.RunRecord(input), RunRecord.JsonOptions, CancellationToken.None);
}

/// <summary>Writes an experiment's result (<c>runs/{id}/experiment.json</c>).</summary>
public sealed class RecordExperimentActivity(BlobServiceClient blobs) : TaskActivity<ExperimentResult, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ExperimentResult input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var runs = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        await runs.CreateIfNotExistsAsync().ConfigureAwait(false);
        await JsonBlobs.WriteAsync(runs, StorageLayout.ExperimentRecord(input.Id), input, RunRecord.JsonOptions, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}
