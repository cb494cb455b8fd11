using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Data;
using BertFunctions.Training.Engine;
using BertFunctions.Training.Modeling;
using BertFunctions.Training.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Training;

/// <summary>
/// Runs one training job end to end: open the dataset, build the model, resume from the job's latest checkpoint if
/// there is one, train, evaluate on validation and test, write the final checkpoint with metrics.json and the
/// training curve, and hand the model to the package writer. Reports Started, Progress, Evaluation, Checkpoint, and
/// Completed or Failed. Cancellation is not a failure: it propagates, and a later run of the same spec resumes.
/// </summary>
public sealed class TrainingJobRunner(
    IExampleSourceFactory data,
    ModelFactory models,
    ICheckpointStore checkpoints,
    IModelPackageWriter packageWriter,
    TrainingRunnerOptions options,
    TimeProvider time,
    ILogger<TrainingJobRunner> logger)
{
    /// <summary>The production wiring over one storage account.</summary>
    public static TrainingJobRunner Create(BlobServiceClient blobs, ILoggerFactory? loggers = null, IModelPackageWriter? packageWriter = null, TrainingRunnerOptions? options = null)
    {
        loggers ??= NullLoggerFactory.Instance;
        var store = new BlobCheckpointStore(blobs, loggers.CreateLogger<BlobCheckpointStore>());
        return new TrainingJobRunner(new BlobExampleSourceFactory(blobs), new ModelFactory(blobs, store, loggers.CreateLogger<ModelFactory>()), store,
            packageWriter ?? new NoOpModelPackageWriter(), options ?? new TrainingRunnerOptions(), TimeProvider.System, loggers.CreateLogger<TrainingJobRunner>());
    }

    /// <summary>Runs <paramref name="spec"/>; never throws for a failed job (see <see cref="TrainingResult.Error"/>), only for cancellation.</summary>
    public async Task<TrainingResult> RunAsync(TrainingJobSpec spec, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(events);
        var scratch = Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), "bertfn-training", $"{spec.JobId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            spec.Validate();
            return await RunCoreAsync(spec, events, scratch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure of a job becomes its Failed event; the worker must keep running.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var error = OneLine(e);
            TrainingLog.JobFailed(logger, e, spec.JobId, error);
            events.Report(new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Failed, At = time.GetUtcNow(), Error = error });
            return new TrainingResult { JobId = spec.JobId, Succeeded = false, Error = error, Mode = spec.Mode };
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    private async Task<TrainingResult> RunCoreAsync(TrainingJobSpec spec, IProgress<TrainingEvent> events, string scratch, CancellationToken cancellationToken)
    {
        var hp = spec.Hyperparameters;
        NativeAllocator.ConfigureForTraining();
        if (hp.Threads > 0)
        {
            set_num_threads(hp.Threads);
        }

        var source = await data.OpenAsync(spec.Dataset, cancellationToken).ConfigureAwait(false);
        if (spec.Mode == JobMode.Baseline)
        {
            return await new Baselines.BaselineJob(checkpoints, time, logger).RunAsync(spec, source, events, scratch, FinalFolder(spec), cancellationToken).ConfigureAwait(false);
        }

        if (hp.TrainExamples is { } budget)
        {
            source = await LabelBudgetSource.CreateAsync(source, budget, spec.Seed, cancellationToken).ConfigureAwait(false);
        }

        var info = source.Info;
        var device = DeviceSelector.Select(hp.Device, logger);
        manual_seed(spec.Seed); // initialisation of everything built from here on
        var classWeights = spec.Mode == JobMode.Classify && hp.ClassWeights == true ? InverseFrequency(info.TrainLabelCounts!) : null;
        var model = await models.CreateAsync(spec, info, classWeights, scratch, cancellationToken).ConfigureAwait(false);
        try
        {
            model.Module.to(device);
            var precision = PrecisionSelector.Select(hp.Precision, device, logger);
            var totalSteps = TotalSteps(spec, info);
            if (hp.FreezeEncoder)
            {
                model.FreezeEncoder();
            }

            using var session = new TrainingSession(spec, model, device, precision, source, totalSteps, checkpoints, events, options, time, logger, scratch);
            if (hp.EarlyStoppingPatience is not null && !model.IsClassifier && hp.EarlyStoppingMetric == "macro_f1")
            {
                throw new TrainingFailedException("early_stopping_metric macro_f1 needs a classification job; use loss or accuracy for mlm");
            }

            var restored = spec.Mode == JobMode.Evaluate ? null
                : await checkpoints.RestoreLatestAsync(spec.JobId, Path.Combine(scratch, "resume"), cancellationToken).ConfigureAwait(false);
            if (restored is not null)
            {
                var saved = await File.ReadAllTextAsync(Path.Combine(restored.Folder, CheckpointFiles.Spec), cancellationToken).ConfigureAwait(false);
                if (!string.Equals(TrainingJobSpec.FromJson(saved).ToJson(), spec.ToJson(), StringComparison.Ordinal))
                {
                    throw new TrainingFailedException($"job {spec.JobId} has a checkpoint ({restored.Location}) written by a different spec; give the changed job a new job_id");
                }

                session.Restore(restored);
                TrainingLog.Resuming(logger, spec.JobId, restored.Location, session.Step);
                if (File.Exists(Path.Combine(restored.Folder, CheckpointFiles.Metrics)))
                {
                    // Only a job's final checkpoint holds metrics.json: the job is done, and this is a redelivered
                    // message. Report the recorded result instead of evaluating again (minutes on a large split).
                    return await ReportFinishedAsync(spec, restored, model, events, cancellationToken).ConfigureAwait(false);
                }
            }

            if (logger.IsEnabled(LogLevel.Information))
            {
                var (mode, dataset, baseModel, deviceName) = (spec.Mode.ToString(), $"{info.Name}/{info.Version}", spec.Base.Kind + (spec.Base.Reference is null ? "" : ":" + spec.Base.Reference), $"{device}, {PrecisionSelector.Name(precision)}");
                TrainingLog.JobStarting(logger, spec.JobId, mode, dataset, baseModel, deviceName, totalSteps);
            }
            events.Report(session.Event(TrainingEventKind.Started) with { Checkpoint = restored?.Location });

            await session.TrainAsync(cancellationToken).ConfigureAwait(false);
            return await FinishAsync(spec, session, model, info, events, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private async Task<TrainingResult> FinishAsync(TrainingJobSpec spec, TrainingSession session, TrainableModel model, DatasetInfo info, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var splits = new Dictionary<string, SplitReport>(StringComparer.Ordinal);
        void Add(string split, (IReadOnlyDictionary<string, double> Metrics, Evaluation.ClassificationMetrics? Classification)? result)
        {
            if (result is { } r)
            {
                splits[split] = new SplitReport(r.Metrics, r.Classification);
                foreach (var (name, value) in r.Metrics)
                {
                    metrics[$"{split}.{name}"] = value;
                }
            }
        }

        // Validation first: it decides which weights the job ends with (keep_best); test is scored once, on those.
        var validation = await session.EvaluateAsync(DatasetInfo.Validation, cancellationToken).ConfigureAwait(false);
        var selected = session.KeepBestOf(validation?.Metrics);
        if (selected != session.Step)
        {
            TrainingLog.KeptBest(logger, spec.JobId, selected, session.EarlyStoppingMetric, session.Step);
            validation = await session.EvaluateAsync(DatasetInfo.Validation, cancellationToken).ConfigureAwait(false);
        }

        Add(DatasetInfo.Validation, validation);
        Add(DatasetInfo.Test, await session.EvaluateAsync(DatasetInfo.Test, cancellationToken).ConfigureAwait(false));

        var cost = new JobCost(session.Tokens, Math.Round(session.TrainSeconds, 3), DeviceSelector.Describe(session.Device), PrecisionSelector.Name(session.Precision), Math.Round(session.PaddedShare, 4));
        if (session.PaddedShare > 0 && logger.IsEnabled(LogLevel.Information))
        {
            TrainingLog.Padding(logger, spec.JobId, session.PaddedShare);
        }

        var report = new MetricsFile(spec.JobId, model.IsClassifier ? "classify" : "mlm", session.Step, model.Labels, metrics, splits, session.LossCurve, session.Evaluations, cost, selected);
        var keep = FinalFolder(spec);
        Directory.CreateDirectory(keep);
        var metricsPath = Path.Combine(keep, CheckpointFiles.Metrics);
        var curvePath = Path.Combine(keep, CheckpointFiles.Curve);
        report.Write(metricsPath);
        TrainingCurvePlot.Write(curvePath, $"{spec.JobId}: {info.Name}/{info.Version}", session.LossCurve, session.Evaluations, session.EarlyStoppingMetric);
        var final = await session.WriteFinalCheckpointAsync(folder =>
        {
            File.Copy(metricsPath, Path.Combine(folder, CheckpointFiles.Metrics), overwrite: true);
            File.Copy(curvePath, Path.Combine(folder, CheckpointFiles.Curve), overwrite: true);
        }, cancellationToken).ConfigureAwait(false);

        model.Module.to(CPU);
        model.Module.eval();
        MixedPrecision.SetComputeDtype(model.Module, ScalarType.Float32); // what export and inference expect
        var result = new TrainingResult
        {
            JobId = spec.JobId,
            Succeeded = true,
            Mode = model.Mode,
            Steps = session.Step,
            FinalCheckpoint = final,
            Metrics = metrics,
            LossCurve = session.LossCurve,
            Evaluations = session.Evaluations,
            Model = model.Module,
            Config = model.Config,
            Vocabulary = model.Vocabulary,
            Labels = model.Labels,
            MetricsFile = metricsPath,
            CurveImage = curvePath,
        };
        if (logger.IsEnabled(LogLevel.Information))
        {
            var text = TrainingSession.Format(metrics);
            TrainingLog.JobCompleted(logger, spec.JobId, session.Step, text);
        }

        return await PackageAndCompleteAsync(spec, result, session.TotalSteps, cost, events, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where a job's metrics.json and curve stay after it (the result points at them).</summary>
    private string FinalFolder(TrainingJobSpec spec) => Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), "bertfn-training", spec.JobId + "-final");

    /// <summary>A finished job delivered again: its final checkpoint's metrics and cost, the package written if it is not yet (idempotent), and the completed event.</summary>
    private async Task<TrainingResult> ReportFinishedAsync(TrainingJobSpec spec, RestoredCheckpoint final, TrainableModel model, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
    {
        var metricsPath = Path.Combine(final.Folder, CheckpointFiles.Metrics);
        var report = JsonSerializer.Deserialize<FinishedReport>(await File.ReadAllTextAsync(metricsPath, cancellationToken).ConfigureAwait(false), CheckpointManifest.JsonOptions)
            ?? throw new TrainingFailedException($"{final.Location}{CheckpointFiles.Metrics} is empty");
        TrainingLog.AlreadyFinished(logger, spec.JobId, final.Location);
        events.Report(new TrainingEvent { JobId = spec.JobId, Kind = TrainingEventKind.Started, At = time.GetUtcNow(), Step = report.Steps, TotalSteps = report.Steps, Checkpoint = final.Location, Precision = report.Cost?.Precision });
        model.Module.to(CPU);
        model.Module.eval();
        var curvePath = Path.Combine(final.Folder, CheckpointFiles.Curve);
        var result = new TrainingResult
        {
            JobId = spec.JobId,
            Succeeded = true,
            Mode = model.Mode,
            Steps = report.Steps,
            FinalCheckpoint = final.Location,
            Metrics = report.Metrics,
            LossCurve = report.LossCurve,
            Evaluations = report.Evaluations,
            Model = model.Module,
            Config = model.Config,
            Vocabulary = model.Vocabulary,
            Labels = model.Labels,
            MetricsFile = metricsPath,
            CurveImage = File.Exists(curvePath) ? curvePath : null,
        };
        return await PackageAndCompleteAsync(spec, result, report.Steps, report.Cost, events, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The end of every successful job: the model package (written once per job), then the completed event.</summary>
    private async Task<TrainingResult> PackageAndCompleteAsync(TrainingJobSpec spec, TrainingResult result, long totalSteps, JobCost? cost, IProgress<TrainingEvent> events, CancellationToken cancellationToken)
    {
        var package = spec.Output is null ? null : await packageWriter.WriteAsync(spec, result, cancellationToken).ConfigureAwait(false);
        events.Report(new TrainingEvent
        {
            JobId = spec.JobId,
            Kind = TrainingEventKind.Completed,
            At = time.GetUtcNow(),
            Step = result.Steps,
            TotalSteps = totalSteps,
            Loss = result.LossCurve.Count > 0 ? result.LossCurve[^1].Loss : null,
            Metrics = result.Metrics.Where(kv => kv.Key.Count(c => c == '.') == 1).ToDictionary(),
            Checkpoint = result.FinalCheckpoint,
            ModelPackage = package,
            Cost = cost,
            Precision = cost?.Precision,
        });
        return package is null ? result : result.WithPackage(package);
    }

    /// <summary>What a redelivered finished job reads back from metrics.json (a BERT job's and the baseline's alike).</summary>
    internal sealed record FinishedReport(long Steps, Dictionary<string, double> Metrics, List<LossPoint> LossCurve, List<EvaluationPoint> Evaluations, JobCost? Cost);

    /// <summary>Optimizer steps of a job: max_steps, else ceil(epochs × micro-batches per epoch ÷ accumulation); 0 to evaluate.</summary>
    internal static long TotalSteps(TrainingJobSpec spec, DatasetInfo info)
    {
        var hp = spec.Hyperparameters;
        if (spec.Mode == JobMode.Evaluate)
        {
            return 0;
        }

        if (hp.MaxSteps is { } max)
        {
            return max;
        }

        var microBatches = (info.ExamplesIn(DatasetInfo.Train) + hp.BatchSize - 1) / hp.BatchSize;
        return Math.Max(1, (long)Math.Ceiling(hp.Epochs * microBatches / hp.GradientAccumulationSteps));
    }

    /// <summary>Class weights n / (k · n_c), scikit-learn's "balanced"; an absent class gets the weight of a single example.</summary>
    internal static float[] InverseFrequency(IReadOnlyList<long> counts)
    {
        var total = counts.Sum();
        return counts.Select(c => (float)(total / ((double)counts.Count * Math.Max(c, 1)))).ToArray();
    }

    private static string OneLine(Exception e)
    {
        var message = e is TrainingFailedException or JobSpecException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        return message.ReplaceLineEndings(" ").Trim();
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
