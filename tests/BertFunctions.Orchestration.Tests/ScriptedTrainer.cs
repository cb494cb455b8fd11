using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Events;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// Stands in for the trainer worker: takes job messages from the real <c>training-jobs</c> queue and answers with the
/// events a script says, through the real event router (what the Functions queue trigger and the local host run).
/// The script sees the spec and how many times this job id was delivered before.
/// </summary>
public sealed class ScriptedTrainer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    /// <param name="writesPackages">
    /// Whether a completed job's model package is written before its event is sent (a small package whose manifest
    /// verifies, as the real trainer's does); false: the trainer reports a package it never wrote.
    /// </param>
    /// <param name="baselines">
    /// The script of the TF-IDF baseline jobs every training run dispatches; null: they succeed with
    /// <see cref="BaselineMetrics"/>, so that a script about the BERT jobs only ever sees those.
    /// </param>
    public ScriptedTrainer(PipelineFixture fixture, Func<TrainingJobSpec, int, IEnumerable<TrainingEvent>?> script, bool writesPackages = true, Func<TrainingJobSpec, int, IEnumerable<TrainingEvent>?>? baselines = null)
        : this(fixture.Blobs, fixture.Queues, fixture.Get<TrainingEventRouter>(), script, writesPackages, baselines)
    {
    }

    public ScriptedTrainer(BlobServiceClient blobs, QueueServiceClient queues, TrainingEventRouter router, Func<TrainingJobSpec, int, IEnumerable<TrainingEvent>?> script, bool writesPackages = true, Func<TrainingJobSpec, int, IEnumerable<TrainingEvent>?>? baselines = null)
    {
        baselines ??= (spec, _) => Succeed(spec, BaselineMetrics);
        loop = Task.Run(async () =>
        {
            var jobs = queues.GetQueueClient(TrainingQueues.Jobs);
            await jobs.CreateIfNotExistsAsync();
            while (!stop.IsCancellationRequested)
            {
                var message = (await jobs.ReceiveMessageAsync(TimeSpan.FromSeconds(30), stop.Token)).Value;
                if (message is null)
                {
                    await Task.Delay(100, stop.Token);
                    continue;
                }

                var spec = TrainingJobSpec.FromJson(message.Body.ToString());
                await jobs.DeleteMessageAsync(message.MessageId, message.PopReceipt, stop.Token);
                var delivery = Deliveries.AddOrUpdate(spec.JobId, 1, (_, n) => n + 1);
                Received.Enqueue(spec);
                foreach (var e in (spec.Mode == JobMode.Baseline ? baselines : script)(spec, delivery) ?? [])
                {
                    if (writesPackages && e.Kind == TrainingEventKind.Completed && spec.Output is { } output && e.ModelPackage is not null)
                    {
                        await WritePackageAsync(blobs, output.Name, output.Version, stop.Token);
                    }

                    await router.RouteAsync((e with { RunId = spec.RunId }).ToJson(), stop.Token); // as the real worker stamps them
                }
            }
        });
    }

    /// <summary>Every job received, in order.</summary>
    public ConcurrentQueue<TrainingJobSpec> Received { get; } = new();

    public ConcurrentDictionary<string, int> Deliveries { get; } = new();

    /// <summary>Every job received but the TF-IDF baselines, in order: what tests about the BERT jobs count.</summary>
    public IReadOnlyList<TrainingJobSpec> BertJobs => [.. Received.Where(j => j.Mode != JobMode.Baseline)];

    /// <summary>What a baseline job reports unless a test scripts it: below <see cref="Succeed"/>'s default model metrics.</summary>
    public static IReadOnlyDictionary<string, double> BaselineMetrics { get; } = new Dictionary<string, double>
    {
        ["test.accuracy"] = 0.75,
        ["test.macro_f1"] = 0.72,
        ["validation.accuracy"] = 0.74,
        ["validation.macro_f1"] = 0.70,
    };

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        stop.Dispose();
    }

    /// <summary>The events of a job that trains for a few steps and completes with the given metrics.</summary>
    public static IEnumerable<TrainingEvent> Succeed(TrainingJobSpec spec, IReadOnlyDictionary<string, double>? metrics = null)
    {
        var now = DateTimeOffset.UtcNow;
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = now, TotalSteps = 10 };
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Progress, At = now, Step = 5, TotalSteps = 10, Loss = 0.5, TokensPerSecond = 1000, EtaSeconds = 5 };
        yield return new TrainingEvent
        {
            JobId = spec.JobId,
            Kind = TrainingEventKind.Completed,
            At = now,
            Step = 10,
            TotalSteps = 10,
            Loss = 0.1,
            Metrics = metrics ?? new Dictionary<string, double> { ["test.accuracy"] = 0.9, ["test.macro_f1"] = 0.88, ["validation.loss"] = 0.3, ["validation.accuracy"] = 0.9, ["validation.macro_f1"] = 0.87 },
            ModelPackage = spec.Output is null ? null : $"models/{spec.Output.Prefix}",
            Cost = new JobCost(Tokens: 1_000, TrainSeconds: 2.5, Device: "cpu (scripted)"),
        };
    }

    /// <summary>A package of placeholder files whose manifest lists their true sizes and hashes: it verifies, it does not load.</summary>
    /// <param name="metricsJson">The package's metrics.json, when a test needs a real one (per-class results); else a placeholder.</param>
    public static async Task WritePackageAsync(BlobServiceClient blobs, string name, string version, CancellationToken cancellationToken, string? metricsJson = null)
    {
        var models = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        await models.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var files = new List<PackageFile>();
        foreach (var file in ModelPackageLayout.RequiredFiles)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(file == ModelPackageLayout.MetricsFile && metricsJson is not null ? metricsJson : $"scripted {file} of {name}/{version}");
            await models.GetBlobClient(ModelPackageLayout.Blob(name, version, file)).UploadAsync(new BinaryData(bytes), overwrite: true, cancellationToken);
            files.Add(new PackageFile(file, bytes.Length, FileHashes.Of(bytes)));
        }

        var manifest = new ModelPackageManifest
        {
            Name = name,
            Version = version,
            CreatedAt = DateTimeOffset.UtcNow,
            Architecture = "BertForSequenceClassification",
            Labels = ["ham", "spam"],
            Files = files,
            Metrics = new Dictionary<string, double>(),
            Onnx = new OnnxSignature(ModelPackageLayout.OnnxFile, 17, 8, ["input_ids", "attention_mask", "token_type_ids"], ["logits"]),
            VocabularySha256 = files.Single(f => f.Path == ModelPackageLayout.VocabularyFile).Sha256,
        };
        await models.GetBlobClient(ModelPackageLayout.Blob(name, version, ModelPackageLayout.ManifestFile)).UploadAsync(BinaryData.FromString(manifest.ToJson()), overwrite: true, cancellationToken);
    }

    public static IEnumerable<TrainingEvent> Fail(TrainingJobSpec spec, string error, bool willRetry = false)
    {
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = DateTimeOffset.UtcNow, TotalSteps = 10 };
        yield return new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Failed, At = DateTimeOffset.UtcNow, Step = 3, TotalSteps = 10, Error = error, WillRetry = willRetry };
    }
}
