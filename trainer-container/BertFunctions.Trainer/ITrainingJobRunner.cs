using BertFunctions.Contracts.Training;

namespace BertFunctions.Trainer;

/// <summary>Runs one training job to its end; reports progress as events. Failures surface as a Failed event and a false result.</summary>
public interface ITrainingJobRunner
{
    Task<bool> RunAsync(TrainingJobSpec spec, IProgress<TrainingEvent> events, CancellationToken cancellationToken);
}
