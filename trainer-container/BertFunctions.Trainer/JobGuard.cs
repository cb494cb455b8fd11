using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Trainer;

/// <summary>
/// Watches over one running job: keeps its queue message leased, and stops the job (cancels <see cref="Token"/>)
/// when the lease is lost or the job's run asks it to stop. A lease is lost when a renewal is refused (the message was
/// deleted, or its pop receipt changed because another worker received it after our lease lapsed), or when renewals
/// keep failing until the lease would have lapsed: from then on a second worker may train the same job, so this one
/// must not go on. A failed renewal is retried, not fatal. The cancel request is a blob the orchestration writes
/// (<see cref="StorageLayout.CancelRequest"/>), looked for every <see cref="TrainerOptions.CancelPollInterval"/>.
/// Before the job starts, the guard takes a blob lease on <c>checkpoints/{job}/worker.lease</c> for as long as it runs:
/// a second message for the same job (a dispatch repeated after a crash between its send and its marker) finds the job
/// taken and is dropped instead of training it twice at once.
/// </summary>
internal sealed class JobGuard(QueueClient jobs, BlobContainerClient checkpoints, QueueMessage message, string jobId, TrainerOptions settings, TimeProvider time, CancellationToken outer) : IAsyncDisposable
{
    public enum Reason
    {
        None,
        LeaseLost,
        CancelRequested,
    }

    private readonly CancellationTokenSource job = CancellationTokenSource.CreateLinkedTokenSource(outer);
    private volatile Reason stop;
    private static readonly TimeSpan JobLease = TimeSpan.FromSeconds(60);

    private Task? watching;
    private BlobLeaseClient? jobLease;

    /// <summary>The job's token: cancelled by the outer token, a lost lease or a cancel request.</summary>
    public CancellationToken Token => job.Token;

    /// <summary>Why the guard stopped the job; <see cref="Reason.None"/> when it did not.</summary>
    public Reason Stop => stop;

    /// <summary>The message's current pop receipt (each renewal changes it).</summary>
    public string Receipt { get; private set; } = message.PopReceipt;

    /// <summary>Takes the job for this worker; false when another worker is training it now.</summary>
    public async Task<bool> TryTakeJobAsync()
    {
        var blob = checkpoints.GetBlobClient(StorageLayout.WorkerLease(jobId));
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, outer).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // It exists: a job that ran before, or runs now.
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(JobLease, cancellationToken: outer).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }

        jobLease = lease;
        return true;
    }

    /// <summary>Starts renewing and watching, until the job ends (<see cref="DisposeAsync"/>) or is stopped.</summary>
    public void Start() => watching = Task.Run(WatchAsync, CancellationToken.None);

    private async Task WatchAsync()
    {
        var renewEvery = settings.VisibilityTimeout / 3;
        var lastRenewal = time.GetUtcNow();
        var lastAttempt = lastRenewal;
        var tick = renewEvery < settings.CancelPollInterval ? renewEvery : settings.CancelPollInterval;
        try
        {
            while (!job.IsCancellationRequested)
            {
                await Task.Delay(tick, time, job.Token).ConfigureAwait(false);
                if (await checkpoints.GetBlobClient(StorageLayout.CancelRequest(jobId)).ExistsAsync(job.Token).ConfigureAwait(false))
                {
                    Halt(Reason.CancelRequested);
                    return;
                }

                if (jobLease is not null)
                {
                    try
                    {
                        await jobLease.RenewAsync(cancellationToken: job.Token).ConfigureAwait(false);
                    }
                    catch (RequestFailedException e) when (e.Status is 409 or 412)
                    {
                        Halt(Reason.LeaseLost); // it lapsed and another worker took the job
                        return;
                    }
                    catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
                    {
                        // Transient: the next tick renews it well within its 60 s.
                    }
                }

                var now = time.GetUtcNow();
                if (now - lastAttempt < renewEvery)
                {
                    continue;
                }

                lastAttempt = now;
                try
                {
                    var updated = await jobs.UpdateMessageAsync(message.MessageId, Receipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: job.Token).ConfigureAwait(false);
                    Receipt = updated.Value.PopReceipt;
                    lastRenewal = now;
                }
                catch (RequestFailedException e) when (e.Status is 400 or 404)
                {
                    Halt(Reason.LeaseLost); // deleted, or received by another worker: the receipt no longer matches
                    return;
                }
                catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
                {
                    // A transient failure: try again at the next tick, unless the lease may already have lapsed.
                    if (now - lastRenewal >= settings.VisibilityTimeout - tick)
                    {
                        Halt(Reason.LeaseLost);
                        return;
                    }

                    lastAttempt = now - renewEvery; // retry at the next tick
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended, or the host stops.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await job.CancelAsync().ConfigureAwait(false);
        if (watching is not null)
        {
            await watching.ConfigureAwait(false); // it never throws
        }

        if (jobLease is not null)
        {
            try
            {
                await jobLease.ReleaseAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
            {
                // It lapses on its own within a minute.
            }
        }

        job.Dispose();
    }

    private void Halt(Reason reason)
    {
        stop = reason;
        job.Cancel();
    }
}
