using System.Diagnostics;
using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Data;
using BertFunctions.Training.Evaluation;
using BertFunctions.Training.Reporting;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Training.Baselines;

/// <summary>
/// A <see cref="JobMode.Baseline"/> job: the TF-IDF + logistic-regression baseline on the dataset version's cleaned
/// texts. It trains on the same examples a classify job with the same label budget and seed trains on (the texts are
/// stored in the shards' example order and the subset is <see cref="LabelBudgetSource.Choose"/> of the same labels),
/// and is scored on the same validation and test examples, so its metrics.json (with per-example predictions) enters
/// the comparison and the paired tests like any BERT arm's. Its checkpoint holds metrics.json and the ML.NET model; a
/// redelivered job finds it and reports the recorded result.
/// </summary>
internal sealed class BaselineJob(ICheckpointStore checkpoints, TimeProvider time, ILogger logger)
{
    /// <param name="keep">Where metrics.json stays after the job (the scratch folder does not).</param>
    public async Task<TrainingResult> RunAsync(TrainingJobSpec spec, IExampleSource source, IProgress<TrainingEvent> events, string scratch, string keep, CancellationToken cancellationToken)
    {
        var info = source.Info;
        if (!info.IsClassification || info.Labels is not { } labels)
        {
            throw new TrainingFailedException($"a baseline job needs a classification dataset; {info.Name}/{info.Version} is not one");
        }

        var restored = await checkpoints.RestoreLatestAsync(spec.JobId, Path.Combine(scratch, "resume"), cancellationToken).ConfigureAwait(false);
        if (restored is not null && File.Exists(Path.Combine(restored.Folder, CheckpointFiles.Metrics)))
        {
            TrainingLog.AlreadyFinished(logger, spec.JobId, restored.Location);
            var recorded = JsonSerializer.Deserialize<TrainingJobRunner.FinishedReport>(await File.ReadAllTextAsync(Path.Combine(restored.Folder, CheckpointFiles.Metrics), cancellationToken).ConfigureAwait(false), CheckpointManifest.JsonOptions)
                ?? throw new TrainingFailedException($"{restored.Location}{CheckpointFiles.Metrics} is empty");
            events.Report(Event(spec, TrainingEventKind.Started) with { Checkpoint = restored.Location });
            Directory.CreateDirectory(keep);
            File.Copy(Path.Combine(restored.Folder, CheckpointFiles.Metrics), Path.Combine(keep, CheckpointFiles.Metrics), overwrite: true);
            return Complete(spec, labels, recorded.Metrics, recorded.Cost, restored.Location, Path.Combine(keep, CheckpointFiles.Metrics), events);
        }

        events.Report(Event(spec, TrainingEventKind.Started));
        var train = await ReadAsync(source, DatasetInfo.Train, labels, cancellationToken).ConfigureAwait(false);
        if (spec.Hyperparameters.TrainExamples is { } budget && budget < train.Count)
        {
            if (budget < labels.Count)
            {
                throw new JobSpecException($"hyperparameters.train_examples = {budget} is smaller than the number of labels ({labels.Count}): every label needs an example");
            }

            var (kept, _) = LabelBudgetSource.Choose([.. train.Select(t => t.Label)], labels.Count, budget, spec.Seed);
            train = [.. train.Where((_, position) => kept.Contains(position))];
        }

        var clock = Stopwatch.StartNew();
        var model = TfIdfBaseline.Fit(train, labels.Count, spec.Seed);
        var fitSeconds = clock.Elapsed.TotalSeconds;
        BaselineLog.Fitted(logger, spec.JobId, train.Count, fitSeconds);

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var splits = new Dictionary<string, SplitReport>(StringComparer.Ordinal);
        foreach (var split in (string[])[DatasetInfo.Validation, DatasetInfo.Test])
        {
            var examples = await ReadAsync(source, split, labels, cancellationToken).ConfigureAwait(false);
            if (examples.Count == 0)
            {
                continue;
            }

            var report = Score(model, examples, labels);
            splits[split] = report;
            foreach (var (name, value) in report.Metrics)
            {
                metrics[$"{split}.{name}"] = value;
            }
        }

        var cost = new JobCost(0, Math.Round(fitSeconds, 3), $"cpu (ML.NET, {Environment.ProcessorCount} threads)", "fp32");
        var folder = Path.Combine(scratch, "final");
        Directory.CreateDirectory(folder);
        var metricsPath = Path.Combine(folder, CheckpointFiles.Metrics);
        new MetricsFile(spec.JobId, "baseline", 1, labels, metrics, splits, [], [], cost).Write(metricsPath);
        model.Save(Path.Combine(folder, ModelFile));
        await File.WriteAllTextAsync(Path.Combine(folder, CheckpointFiles.Spec), spec.ToJson(), cancellationToken).ConfigureAwait(false);
        var location = await checkpoints.SaveAsync(spec.JobId, 1, folder, 1, cancellationToken).ConfigureAwait(false);
        events.Report(Event(spec, TrainingEventKind.Checkpoint) with { Checkpoint = location });
        Directory.CreateDirectory(keep);
        File.Copy(metricsPath, Path.Combine(keep, CheckpointFiles.Metrics), overwrite: true);
        return Complete(spec, labels, metrics, cost, location, Path.Combine(keep, CheckpointFiles.Metrics), events);
    }

    /// <summary>The fitted ML.NET pipeline in the baseline's checkpoint.</summary>
    public const string ModelFile = "baseline.zip";

    /// <summary>Metrics of one split, as <see cref="Evaluator"/> reports a BERT's: the same names, plus per-example predictions.</summary>
    internal static SplitReport Score(TfIdfBaseline model, IReadOnlyList<(string Text, int Label)> examples, IReadOnlyList<string> labels)
    {
        var probabilities = model.Predict(examples);
        var truth = examples.Select(e => e.Label).ToArray();
        var predicted = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();
        var positive = labels.Count == 2 ? probabilities.Select(p => p[1]).ToArray() : null;
        var classification = ClassificationMetrics.Compute(truth, predicted, positive, labels) with { Labels = truth, Predictions = predicted };
        // Cross-entropy of the true class, as the BERT evaluation's "loss" (probabilities floored as log(0) would be).
        var loss = truth.Select((label, i) => -Math.Log(Math.Max(probabilities[i][label], 1e-12))).Average();
        return new SplitReport(new Dictionary<string, double>(classification.ToDictionary(), StringComparer.Ordinal) { ["loss"] = loss }, classification);
    }

    /// <summary>A split's texts with label ids; the count must match the split's examples (the texts line up with them).</summary>
    private static async Task<List<(string Text, int Label)>> ReadAsync(IExampleSource source, string split, IReadOnlyList<string> labels, CancellationToken cancellationToken)
    {
        var ids = labels.Select((name, id) => (name, id)).ToDictionary(x => x.name, x => x.id, StringComparer.Ordinal);
        var texts = new List<(string, int)>();
        await foreach (var document in source.ReadTextAsync(split, cancellationToken).ConfigureAwait(false))
        {
            if (document.Label is null || !ids.TryGetValue(document.Label, out var id))
            {
                throw new TrainingFailedException($"dataset {source.Info.Name}/{source.Info.Version}: a {split} text has label '{document.Label}', which is not in labels.json");
            }

            texts.Add((document.Text, id));
        }

        if (texts.Count != source.Info.ExamplesIn(split))
        {
            throw new TrainingFailedException($"dataset {source.Info.Name}/{source.Info.Version}: {texts.Count} {split} texts for {source.Info.ExamplesIn(split)} examples");
        }

        return texts;
    }

    private TrainingResult Complete(TrainingJobSpec spec, IReadOnlyList<string> labels, IReadOnlyDictionary<string, double> metrics, JobCost? cost, string checkpoint, string metricsFile, IProgress<TrainingEvent> events)
    {
        events.Report(Event(spec, TrainingEventKind.Completed) with { Metrics = metrics.Where(kv => kv.Key.Count(c => c == '.') == 1).ToDictionary(), Checkpoint = checkpoint, Cost = cost, Precision = cost?.Precision });
        return new TrainingResult
        {
            JobId = spec.JobId,
            Succeeded = true,
            Mode = JobMode.Baseline,
            Steps = 1,
            FinalCheckpoint = checkpoint,
            Metrics = metrics,
            Labels = labels,
            MetricsFile = metricsFile,
        };
    }

    private TrainingEvent Event(TrainingJobSpec spec, TrainingEventKind kind) => new() { JobId = spec.JobId, Kind = kind, At = time.GetUtcNow(), Step = 1, TotalSteps = 1 };
}

internal static partial class BaselineLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: TF-IDF + logistic regression fitted on {Examples} texts in {Seconds:F1} s")]
    public static partial void Fitted(ILogger logger, string jobId, int examples, double seconds);
}
