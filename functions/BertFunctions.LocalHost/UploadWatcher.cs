using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.LocalHost;

/// <summary>
/// The local stand-in for the blob trigger (Event Grid in Azure): lists the uploads container every few seconds (less
/// often while nothing changes, see <see cref="LocalHostOptions.WatchIntervalMax"/>) and
/// signals every new or changed blob, exactly as the Functions blob trigger does. The first listing signals everything
/// that is there, so uploads made while the host was down are not missed; runs are keyed by content, so uploads that
/// were trained on already start nothing.
/// </summary>
public sealed partial class UploadWatcher(BlobServiceClient blobs, UploadSignal signal, IOptions<LocalHostOptions> options, ILogger<UploadWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WatchAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping (the storage SDK reports it as its own cancellation).
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var uploads = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var delay = options.Value.WatchInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = false;
            try
            {
                var changedDatasets = new Dictionary<string, string>(StringComparer.Ordinal);
                await foreach (var blob in uploads.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, stoppingToken).ConfigureAwait(false))
                {
                    var etag = blob.Properties.ETag?.ToString() ?? string.Empty;
                    if (!seen.TryGetValue(blob.Name, out var known) || known != etag)
                    {
                        seen[blob.Name] = etag;
                        if (UploadSignal.DatasetOf(blob.Name) is { } dataset)
                        {
                            changedDatasets[dataset] = SignalFor(changedDatasets.GetValueOrDefault(dataset), blob.Name);
                        }
                    }
                }

                changed = changedDatasets.Count > 0;
                foreach (var (dataset, name) in changedDatasets)
                {
                    LogSignal(dataset, name);
                    await signal.SignalAsync(name, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage or the engine hiccuped: the next listing tries again; blobs not yet signalled stay unseen.
                LogFailed(e.Message);
                seen.Clear();
            }

            delay = NextDelay(delay, changed, options.Value.WatchInterval, options.Value.WatchIntervalMax);
            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Which changed blob of a dataset to signal, one per listing: a completion marker when the listing has one (it
    /// tells the scheduler not to wait out the debounce), else the latest seen.
    /// </summary>
    internal static string SignalFor(string? chosen, string candidate) =>
        chosen is not null && StorageLayout.IsUploadComplete(chosen) ? chosen : candidate;

    /// <summary>The gap before the next listing: the shortest while uploads change, doubling (up to the longest) while they are quiet.</summary>
    internal static TimeSpan NextDelay(TimeSpan current, bool changed, TimeSpan shortest, TimeSpan longest) =>
        changed ? shortest : TimeSpan.FromTicks(Math.Clamp(current.Ticks * 2, shortest.Ticks, Math.Max(shortest.Ticks, longest.Ticks)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Uploads changed in {Dataset} (e.g. {Blob}): signalled its retrain scheduler")]
    private partial void LogSignal(string dataset, string blob);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing uploads failed: {Error}; retrying")]
    private partial void LogFailed(string error);
}
