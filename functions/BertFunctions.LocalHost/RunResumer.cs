using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.LocalHost;

/// <summary>
/// The in-process engine keeps orchestration state in memory, so a restart of the local host forgets its runs; their
/// records in Blob Storage do not. At start, every run recorded as running that the engine does not know is started
/// again with the same id and request: its activities are idempotent (ingestion reuses its content-addressed version)
/// and its trainer jobs resume from their checkpoints. Nothing is forgotten, and nothing is redone that was done.
/// A run interrupted longer ago than <see cref="LocalHostOptions.ResumeLimit"/> is not resumed on every start for ever:
/// its record is closed as failed, saying why and how to start it again (the same request is the same run).
/// </summary>
public sealed partial class RunResumer(BlobServiceClient blobs, DurableTaskClient client, IOptions<LocalHostOptions> options, ILogger<RunResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        await runs.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
        await foreach (var blob in runs.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, stoppingToken).ConfigureAwait(false))
        {
            if (!blob.Name.EndsWith("/run.json", StringComparison.Ordinal))
            {
                continue;
            }

            // One malformed record is skipped with a log line: it must not stop the others from resuming, or the host.
            var record = await JsonBlobs.TryReadListedAsync<RunRecord>(runs, blob.Name, RunRecord.JsonOptions, LogMalformed, stoppingToken).ConfigureAwait(false);
            if (record is null || RunStates.IsTerminal(record.State) || await client.GetInstanceAsync(record.Id, stoppingToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var age = DateTimeOffset.UtcNow - record.StartedAt;
            if (age > options.Value.ResumeLimit)
            {
                LogAbandoning(record.Id, record.StartedAt);
                await JsonBlobs.WriteAsync(runs, blob.Name, record with
                {
                    State = RunStates.Failed,
                    EndedAt = DateTimeOffset.UtcNow,
                    Error = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"interrupted by a restart of the host and not resumed: it started {age.TotalDays:0.#} days ago, longer ago than the local host resumes runs ({options.Value.ResumeLimit.TotalDays:0.#} days); post the same request to start it again (its finished steps are reused)"),
                }, RunRecord.JsonOptions, stoppingToken).ConfigureAwait(false);
                continue;
            }

            LogResuming(record.Id, record.StartedAt);
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(TrainingRunOrchestrator), new TrainingRunInput(record.Request, options.Value.Pipeline.RunSettings), new StartOrchestrationOptions(record.Id), stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run record {Blob} is not a valid run record and was skipped: {Reason}")]
    private partial void LogMalformed(string blob, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} (started {StartedAt}) was interrupted longer ago than runs are resumed: closed as failed")]
    private partial void LogAbandoning(string runId, DateTimeOffset startedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} (started {StartedAt}) was interrupted by a restart of the host: resuming it")]
    private partial void LogResuming(string runId, DateTimeOffset startedAt);
}
