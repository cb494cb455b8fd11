using System.Diagnostics;
using System.Globalization;
using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Data;
using BertFunctions.Training.Evaluation;
using BertFunctions.Training.Modeling;
using BertFunctions.Training.Optimization;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BertFunctions.Training.Engine;

/// <summary>
/// One run of the training loop, nanoGPT style: for each optimizer step set the learning rate, accumulate gradients
/// over micro-batches, check the loss is finite, clip, step; evaluate and checkpoint every N steps. Holds the
/// mutable state of the run (step, data position, curves, early stopping), which is exactly what a checkpoint stores.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    /// <summary>Steps between checks of resident memory (see <see cref="NativeAllocator"/>).</summary>
    private const int MemoryCheckEverySteps = 8;

    /// <summary>Growth of resident memory over the loop's start that makes the loop return free memory to the system.</summary>
    internal const long MemoryGrowthAllowance = 2L << 30;

    private readonly TrainingJobSpec spec;
    private readonly TrainableModel model;
    private readonly Device device;
    private readonly IExampleSource source;
    private readonly BatchCollator collator;
    private readonly WeightDecayGroups groups;
    private readonly AdamW optimizer;
    private readonly LinearWarmupDecay schedule;
    private readonly ICheckpointStore checkpoints;
    private readonly IProgress<TrainingEvent> events;
    private readonly TrainingRunnerOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly string scratch;
    private readonly List<LossPoint> lossCurve = [];
    private readonly List<EvaluationPoint> evaluations = [];
    private DataPosition position = DataPosition.Start;
    private double? bestMetric;
    private long? bestStep;
    private readonly BestWeights best = new();
    private bool bestLoaded; // the model holds the best weights again (the end of a keep_best job)
    private int evaluationsWithoutImprovement;
    private long tokens;
    private long positions, realPositions; // of this attempt's batches, for the padding share
    private DateTimeOffset lastHeartbeat = DateTimeOffset.MinValue;
    private double secondsBefore; // training-loop time of earlier attempts (from the checkpoint)
    private readonly Stopwatch loopClock = new();

    public TrainingSession(TrainingJobSpec spec, TrainableModel model, Device device, ScalarType precision, IExampleSource source, long totalSteps,
        ICheckpointStore checkpoints, IProgress<TrainingEvent> events, TrainingRunnerOptions options, TimeProvider time, ILogger logger, string scratch)
    {
        this.spec = spec;
        this.model = model;
        this.device = device;
        Precision = precision;
        MixedPrecision.SetComputeDtype(model.Module, precision);
        this.source = source;
        this.checkpoints = checkpoints;
        this.events = events;
        this.options = options;
        this.time = time;
        this.logger = logger;
        this.scratch = scratch;
        var hp = spec.Hyperparameters;
        collator = new BatchCollator(model.Config.PadTokenId, model.IsClassifier);
        groups = WeightDecayGroups.Split(model.NamedParameters());
        TrainingLog.ParameterGroups(logger, groups.Decay.Count, groups.DecayElements, hp.WeightDecay, groups.NoDecay.Count, groups.NoDecayElements);
        // Betas and epsilon spelled out: they are BERT's and PyTorch's (0.9, 0.999, 1e-8), and a factory default may differ.
        optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(groups.Decay.Select(p => p.Parameter), lr: hp.LearningRate, beta1: AdamBeta1, beta2: AdamBeta2, eps: AdamEpsilon, weight_decay: hp.WeightDecay),
                new AdamW.ParamGroup(groups.NoDecay.Select(p => p.Parameter), lr: hp.LearningRate, beta1: AdamBeta1, beta2: AdamBeta2, eps: AdamEpsilon, weight_decay: 0),
            ],
            lr: hp.LearningRate, beta1: AdamBeta1, beta2: AdamBeta2, eps: AdamEpsilon);
        schedule = LinearWarmupDecay.FromRatio(hp.LearningRate, hp.WarmupRatio, totalSteps);
        EarlyStoppingMetric = model.IsClassifier || hp.EarlyStoppingMetric == "loss" ? hp.EarlyStoppingMetric : "masked_accuracy";
    }

    /// <summary>AdamW's moment decay rates and epsilon.</summary>
    internal const double AdamBeta1 = 0.9, AdamBeta2 = 0.999, AdamEpsilon = 1e-8;

    public long Step { get; private set; }

    /// <summary>The dtype of the matmuls (float32 or bfloat16); weights and optimizer state are float32 either way.</summary>
    public ScalarType Precision { get; }

    /// <summary>The optimizer (for tests of its settings).</summary>
    internal AdamW Optimizer => optimizer;

    /// <summary>Padding positions over all positions of the training batches of this attempt (0 before the first).</summary>
    public double PaddedShare => positions == 0 ? 0 : 1 - ((double)realPositions / positions);

    public long TotalSteps => schedule.TotalSteps;

    public string? LastCheckpoint { get; private set; }

    public IReadOnlyList<LossPoint> LossCurve => lossCurve;

    public IReadOnlyList<EvaluationPoint> Evaluations => evaluations;

    /// <summary>Where the model trains.</summary>
    public Device Device => device;

    /// <summary>Real tokens trained on, over all attempts.</summary>
    public long Tokens => tokens;

    /// <summary>Wall time in the training loop, over all attempts.</summary>
    public double TrainSeconds => secondsBefore + loopClock.Elapsed.TotalSeconds;

    /// <summary>The validation metric early stopping watches (and the curve plots).</summary>
    public string EarlyStoppingMetric { get; }

    /// <summary>Restores weights, moments and loop state from a verified checkpoint folder.</summary>
    public void Restore(RestoredCheckpoint checkpoint)
    {
        var weights = SafeTensors.Read(Path.Combine(checkpoint.Folder, CheckpointFiles.Model));
        try
        {
            StrictLoader.Load(model.Module, weights, checkpoint.Location + CheckpointFiles.Model);
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        if (File.Exists(Path.Combine(checkpoint.Folder, CheckpointFiles.OptimizerIndex)))
        {
            OptimizerStateFile.Load(optimizer, groups, checkpoint.Folder);
        }
        else if (!File.Exists(Path.Combine(checkpoint.Folder, CheckpointFiles.Metrics)))
        {
            throw new InvalidDataException($"{checkpoint.Location} has no optimizer state, and only a finished job's checkpoint may lack it");
        }
        var state = TrainerState.Read(Path.Combine(checkpoint.Folder, CheckpointFiles.TrainerState));
        Step = state.Step;
        position = new DataPosition(state.Epoch, state.ExamplesConsumed);
        bestMetric = state.BestMetric;
        bestStep = state.BestStep;
        if (bestStep is { } kept && spec.Hyperparameters.KeepBest)
        {
            var file = Path.Combine(checkpoint.Folder, CheckpointFiles.Best);
            if (kept == Step)
            {
                best.Capture(model.Module, kept);
            }
            else if (File.Exists(file))
            {
                best.Read(file, kept);
            }
        }
        evaluationsWithoutImprovement = state.EvaluationsWithoutImprovement;
        tokens = state.Tokens;
        secondsBefore = state.TrainSeconds;
        lossCurve.AddRange(state.LossCurve);
        evaluations.AddRange(state.Evaluations);
        set_rng_state(tensor(Convert.FromBase64String(state.TorchRngState), ScalarType.Byte));
        LastCheckpoint = checkpoint.Location;
    }

    /// <summary>Re-masking for each step with the dataset's own masking rules (probability, cap, whole words).</summary>
    internal static Datasets.DynamicMasking DynamicMaskingFor(DatasetInfo info, string jobId) =>
        new(new Datasets.MlmMasker(Datasets.TokenVocabulary.Load(info.Vocabulary), info.Masking, info.MaxSeqLen), jobId);

    /// <summary>Trains until the last step or early stopping.</summary>
    public async Task TrainAsync(CancellationToken cancellationToken)
    {
        var hp = spec.Hyperparameters;
        var dynamicMasking = hp.DynamicMasking && !model.IsClassifier ? DynamicMaskingFor(source.Info, spec.JobId) : null;
        var batches = new TrainingBatches(source, collator, hp.BatchSize, spec.Seed, dynamicMasking, groupByLength: model.IsClassifier && hp.GroupByLength);
        var parameters = groups.All.Select(p => p.Parameter).ToList();
        var clock = Stopwatch.StartNew();
        loopClock.Start();
        var startStep = Step;
        var lastReport = time.GetUtcNow() - options.ProgressInterval;
        long tokensSinceReport = 0;
        var reportClock = Stopwatch.StartNew();
        var trimmer = new GrowthTrimmer(MemoryGrowthAllowance);
        var stream = batches.ReadAsync(position, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (stream.ConfigureAwait(false))
        {
            while (Step < TotalSteps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var lr = schedule.At(Step);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = lr;
                }

                optimizer.zero_grad();
                double lossSum = 0;
                for (var micro = 0; micro < hp.GradientAccumulationSteps; micro++)
                {
                    await stream.MoveNextAsync().ConfigureAwait(false);
                    var batch = stream.Current;
                    using (NewDisposeScope())
                    {
                        // Dropout draws from a generator reseeded per micro-batch: a resumed run draws the same masks.
                        manual_seed(MicroBatchSeed(spec.Seed, Step, micro));
                        var output = model.Forward(batch, device);
                        (output.Loss / hp.GradientAccumulationSteps).backward();
                        lossSum += output.Loss.item<float>();
                    }

                    tokens += batch.Tokens;
                    tokensSinceReport += batch.Tokens;
                    positions += (long)batch.Size * batch.Length;
                    realPositions += batch.Tokens;
                    position = batch.Position;
                }

                var loss = lossSum / hp.GradientAccumulationSteps;
                if (options.InjectNonFiniteLoss?.Invoke(Step + 1) == true)
                {
                    loss = double.NaN;
                }

                if (!double.IsFinite(loss))
                {
                    // No optimizer step: the weights stay those of the last good step, and no checkpoint is written.
                    throw new TrainingFailedException($"training loss is {loss.ToString(CultureInfo.InvariantCulture)} at step {Step + 1}; stopped (try a lower learning_rate). Last good checkpoint: {LastCheckpoint ?? "none"}");
                }

                nn.utils.clip_grad_norm_(parameters, hp.MaxGradNorm);
                optimizer.step();
                Step++;
                options.AfterStep?.Invoke(Step, model.Module);
                if (Step % MemoryCheckEverySteps == 0)
                {
                    trimmer.TrimIfGrown(); // bounded memory without a trim's page faults every few steps
                }
                lossCurve.Add(new LossPoint(Step, loss, lr));

                var now = time.GetUtcNow();
                if (Step == startStep + 1 || Step == TotalSteps || now - lastReport >= options.ProgressInterval)
                {
                    var seconds = Math.Max(reportClock.Elapsed.TotalSeconds, 1e-9);
                    var rate = tokensSinceReport / seconds;
                    var eta = clock.Elapsed.TotalSeconds / (Step - startStep) * (TotalSteps - Step);
                    TrainingLog.StepDone(logger, Step, TotalSteps, loss, lr, rate);
                    events.Report(Event(TrainingEventKind.Progress) with { Loss = loss, LearningRate = lr, TokensPerSecond = rate, EtaSeconds = eta });
                    lastReport = now;
                    tokensSinceReport = 0;
                    reportClock.Restart();
                }

                if (Step < TotalSteps && Step % hp.EvalEverySteps == 0 && await EvaluateAndCheckEarlyStoppingAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                if (Step < TotalSteps && Step % hp.CheckpointEverySteps == 0)
                {
                    await WriteCheckpointAsync(null, resumable: true, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        loopClock.Stop();
    }

    /// <summary>Metrics of the model on a split, or null when the split is empty.</summary>
    public Task<(IReadOnlyDictionary<string, double> Metrics, ClassificationMetrics? Classification)?> EvaluateAsync(string split, CancellationToken cancellationToken) =>
        new Evaluator(source, collator, Evaluator.BatchSizeFor(spec.Hyperparameters)).EvaluateAsync(model, device, split, cancellationToken, Heartbeat);

    /// <summary>
    /// While a split is evaluated, a progress event at the usual interval: the orchestration counts a silent trainer
    /// as stuck, and a large split takes minutes.
    /// </summary>
    private void Heartbeat()
    {
        var now = time.GetUtcNow();
        if (now - lastHeartbeat >= options.ProgressInterval)
        {
            events.Report(Event(TrainingEventKind.Progress));
            lastHeartbeat = now;
        }
    }

    /// <summary>
    /// The finished job's checkpoint: its weights, trainer state and <paramref name="extraFiles"/> (metrics, curve),
    /// without AdamW's moments. Nothing trains on from a finished job (a redelivered message only reports it again,
    /// and a later job starts its own optimizer), so the moments, twice the weights' size, would be stored for nothing.
    /// </summary>
    public Task<string> WriteFinalCheckpointAsync(Action<string> extraFiles, CancellationToken cancellationToken) =>
        WriteCheckpointAsync(extraFiles, resumable: false, cancellationToken);

    /// <summary>Writes a checkpoint of the current state (plus <paramref name="extraFiles"/>) and reports it.</summary>
    private async Task<string> WriteCheckpointAsync(Action<string>? extraFiles, bool resumable, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(scratch, "out-" + CheckpointFiles.StepFolder(Step));
        Directory.CreateDirectory(folder);
        try
        {
            var tied = (model.Module as ITiedWeights)?.TiedKeys ?? [];
            SafeTensors.Write(Path.Combine(folder, CheckpointFiles.Model), model.Module.state_dict().Where(kv => !tied.Contains(kv.Key)));
            if (resumable)
            {
                if (best.Step is { } kept && kept != Step && !bestLoaded)
                {
                    best.Write(Path.Combine(folder, CheckpointFiles.Best));
                }

                OptimizerStateFile.Save(optimizer, groups, spec.Hyperparameters.WeightDecay, folder);
            }
            using (var rng = get_rng_state())
            {
                new TrainerState(Step, TotalSteps, schedule.WarmupSteps, position.Epoch, position.ExamplesConsumed, spec.Seed, Convert.ToBase64String(rng.bytes),
                    bestMetric, evaluationsWithoutImprovement, tokens, lossCurve, evaluations, TrainSeconds, bestStep).Write(Path.Combine(folder, CheckpointFiles.TrainerState));
            }

            await File.WriteAllTextAsync(Path.Combine(folder, CheckpointFiles.Spec), spec.ToJson(), cancellationToken).ConfigureAwait(false);
            var architecture = model.IsClassifier ? nameof(BertForSequenceClassification) : nameof(BertForMaskedLM);
            await File.WriteAllTextAsync(Path.Combine(folder, CheckpointFiles.Config), (model.Config with { Architectures = [architecture] }).ToJson(), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(folder, CheckpointFiles.Vocabulary), model.Vocabulary, cancellationToken).ConfigureAwait(false);
            if (model.Labels is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, CheckpointFiles.Labels), System.Text.Json.JsonSerializer.Serialize(model.Labels), cancellationToken).ConfigureAwait(false);
            }

            extraFiles?.Invoke(folder);
            LastCheckpoint = await checkpoints.SaveAsync(spec.JobId, Step, folder, spec.Hyperparameters.KeepCheckpoints, cancellationToken).ConfigureAwait(false);
            TrainingLog.CheckpointWritten(logger, LastCheckpoint);
            events.Report(Event(TrainingEventKind.Checkpoint) with { Checkpoint = LastCheckpoint });
            return LastCheckpoint;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A fresh event of this job at the current step.</summary>
    public TrainingEvent Event(TrainingEventKind kind) => new() { JobId = spec.JobId, Kind = kind, At = time.GetUtcNow(), Step = Step, TotalSteps = TotalSteps, Precision = PrecisionSelector.Name(Precision) };

    /// <summary>The torch seed of one micro-batch: dropout depends on (job seed, step, micro-batch) only.</summary>
    internal static long MicroBatchSeed(int seed, long step, int micro) => unchecked((seed * 1_000_003L) + (step * 1_009L) + micro);

    private async Task<bool> EvaluateAndCheckEarlyStoppingAsync(CancellationToken cancellationToken)
    {
        var result = await EvaluateAsync(DatasetInfo.Validation, cancellationToken).ConfigureAwait(false);
        if (result is not { } r)
        {
            return false;
        }

        evaluations.Add(new EvaluationPoint(Step, r.Metrics));
        if (logger.IsEnabled(LogLevel.Information))
        {
            var text = Format(r.Metrics);
            TrainingLog.Evaluated(logger, Step, text);
        }
        events.Report(Event(TrainingEventKind.Evaluation) with { Metrics = r.Metrics.Where(kv => !kv.Key.Contains('.', StringComparison.Ordinal)).ToDictionary(kv => "validation." + kv.Key, kv => kv.Value) });
        if (!r.Metrics.TryGetValue(EarlyStoppingMetric, out var value))
        {
            return false;
        }

        if (IsBetter(value, bestMetric))
        {
            bestMetric = value;
            bestStep = Step;
            evaluationsWithoutImprovement = 0;
            if (spec.Hyperparameters.KeepBest)
            {
                best.Capture(model.Module, Step);
            }

            return false;
        }

        if (spec.Hyperparameters.EarlyStoppingPatience is not { } patience || ++evaluationsWithoutImprovement < patience)
        {
            return false;
        }

        TrainingLog.EarlyStopping(logger, Step, EarlyStoppingMetric, patience);
        return true;
    }

    public void Dispose() => best.Dispose();

    /// <summary>
    /// keep_best, after the final validation evaluation: when an evaluation during training was strictly better, puts
    /// its weights back and returns its step; else returns the final step (the model is left as it is).
    /// </summary>
    public long KeepBestOf(IReadOnlyDictionary<string, double>? finalValidation)
    {
        if (best.Step is not { } kept || kept == Step || bestMetric is not { } bestValue
            || finalValidation is null || !finalValidation.TryGetValue(EarlyStoppingMetric, out var final) || !IsBetter(bestValue, final))
        {
            return Step;
        }

        best.LoadInto(model.Module);
        bestLoaded = true;
        return kept;
    }

    private bool IsBetter(double value, double? than) => than is not { } reference || (EarlyStoppingMetric == "loss" ? value < reference : value > reference);

    internal static string Format(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Where(kv => !kv.Key.Contains('.', StringComparison.Ordinal) || kv.Key.StartsWith("validation.", StringComparison.Ordinal) || kv.Key.StartsWith("test.", StringComparison.Ordinal))
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G4}")));
}
