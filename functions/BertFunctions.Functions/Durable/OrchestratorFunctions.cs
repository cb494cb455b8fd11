using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BertFunctions.Functions.Durable;

/// <summary>
/// The pipeline's orchestrators as Functions: one line each over the class-based orchestrators of
/// BertFunctions.Orchestration (the Durable source generator that would write these is not available here).
/// </summary>
public static class OrchestratorFunctions
{
    [Function(nameof(TrainingRunOrchestrator))]
    public static Task<RunOutcome> TrainingRun([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new TrainingRunOrchestrator().RunAsync(context, Input<TrainingRunInput>(context));

    [Function(nameof(IngestDatasetOrchestrator))]
    public static Task<IngestedDataset> IngestDataset([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new IngestDatasetOrchestrator().RunAsync(context, Input<IngestionRequest>(context));

    [Function(nameof(RetrainSchedulerOrchestrator))]
    public static Task<string> RetrainScheduler([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RetrainSchedulerOrchestrator().RunAsync(context, Input<SchedulerInput>(context));

    [Function(nameof(ExperimentOrchestrator))]
    public static Task<ExperimentResult> Experiment([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ExperimentOrchestrator().RunAsync(context, Input<ExperimentInput>(context));

    private static T Input<T>(TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetInput<T>() ?? throw new InvalidOperationException($"orchestration {context.InstanceId} has no {typeof(T).Name} input");
    }
}
