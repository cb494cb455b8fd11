using Microsoft.Extensions.Logging;

namespace BertFunctions.Training;

/// <summary>The trainer's log messages, in one place (source-generated, allocation-free when disabled).</summary>
internal static partial class TrainingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: {Mode} on {Dataset} from {Base}, device {Device}, {TotalSteps} steps")]
    public static partial void JobStarting(ILogger logger, string jobId, string mode, string dataset, string @base, string device, long totalSteps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: resuming from {Checkpoint} at step {Step}")]
    public static partial void Resuming(ILogger logger, string jobId, string checkpoint, long step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} has already finished ({Checkpoint} holds its metrics): reporting them without training or evaluating again")]
    public static partial void AlreadyFinished(ILogger logger, string jobId, string checkpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {What} from {Source}")]
    public static partial void WeightsLoaded(ILogger logger, string source, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Head}{AndPooler} is freshly initialised: {Source} has no weights for it")]
    public static partial void HeadInitialised(ILogger logger, string head, string source, string andPooler);

    [LoggerMessage(Level = LogLevel.Information, Message = "AdamW groups: {DecayTensors} matrices ({DecayElements} parameters) with weight decay {WeightDecay}; {NoDecayTensors} biases and LayerNorm weights ({NoDecayElements} parameters) without")]
    public static partial void ParameterGroups(ILogger logger, int decayTensors, long decayElements, double weightDecay, int noDecayTensors, long noDecayElements);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device}: {Precision}")]
    public static partial void DeviceChosen(ILogger logger, string device, string precision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Precision {Precision} (asked: {Requested}; {Why})")]
    public static partial void PrecisionChosen(ILogger logger, string precision, string requested, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: {PaddedShare:P1} of the training batches' positions were padding")]
    public static partial void Padding(ILogger logger, string jobId, double paddedShare);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step}/{Total}: loss {Loss:F4}, lr {LearningRate:E2}, {TokensPerSecond:F0} tokens/s")]
    public static partial void StepDone(ILogger logger, long step, long total, double loss, double learningRate, double tokensPerSecond);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step}: validation {Metrics}")]
    public static partial void Evaluated(ILogger logger, long step, string metrics);

    [LoggerMessage(Level = LogLevel.Information, Message = "Early stopping at step {Step}: validation {Metric} has not improved for {Patience} evaluations")]
    public static partial void EarlyStopping(ILogger logger, long step, string metric, int patience);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ends with the weights of step {Selected}, its best validation {Metric}, not those of its last step {Last} (keep_best)")]
    public static partial void KeptBest(ILogger logger, string jobId, long selected, string metric, long last);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint {Location}")]
    public static partial void CheckpointWritten(ILogger logger, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint {Location} is unusable ({Problem}); trying the previous one")]
    public static partial void CheckpointUnusable(ILogger logger, string location, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted old checkpoint {Location}")]
    public static partial void CheckpointDeleted(ILogger logger, string location);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed: {Error}")]
    public static partial void JobFailed(ILogger logger, Exception exception, string jobId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} completed at step {Step}: {Metrics}")]
    public static partial void JobCompleted(ILogger logger, string jobId, long step, string metrics);
}
