using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Events;
using BertFunctions.Orchestration.Orchestrators;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Pipeline.Vocabulary;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BertFunctions.Orchestration;

/// <summary>
/// Registration of the pipeline for any host: the services its activities and triggers need, and its orchestrators and
/// activities with the Durable Task registry. The host provides a <c>BlobServiceClient</c>, a <c>QueueServiceClient</c>
/// (Base64 messages, as the trainer and Functions queue triggers expect) and a <c>DurableTaskClient</c>.
/// </summary>
public static class PipelineRegistration
{
    /// <summary>Every orchestrator, registered under its class name.</summary>
    public static IReadOnlyList<Type> Orchestrators { get; } =
        [typeof(TrainingRunOrchestrator), typeof(IngestDatasetOrchestrator), typeof(RetrainSchedulerOrchestrator), typeof(ExperimentOrchestrator)];

    /// <summary>Every activity, registered under its class name.</summary>
    public static IReadOnlyList<Type> Activities { get; } =
    [
        typeof(PlanIngestionActivity), typeof(ReadUnitActivity), typeof(ConsolidateActivity), typeof(BuildUnitShardsActivity),
        typeof(FinalizeIngestionActivity), typeof(ReuseVersionActivity), typeof(InspectUploadsActivity), typeof(TrainVocabularyActivity),
        typeof(DispatchTrainingJobActivity), typeof(ReadLiveModelActivity), typeof(VerifyPackageActivity), typeof(PromoteModelActivity), typeof(RequestJobCancelActivity), typeof(RecordRunActivity),
        typeof(ReadRunRecordActivity), typeof(RecordExperimentActivity), typeof(WriteExperimentReportActivity), typeof(PairedComparisonActivity),
        typeof(ReadClassReportsActivity),
    ];

    public static DurableTaskRegistry AddPipelineTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var type in Orchestrators)
        {
            registry.AddOrchestrator(type.Name, type);
        }

        foreach (var type in Activities)
        {
            registry.AddActivity(type.Name, type);
        }

        return registry;
    }

    public static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<PipelineOptions>();
        services.TryAddSingleton<IngestionSteps>();
        services.TryAddSingleton<VocabularyTraining>();
        services.TryAddSingleton<UploadInspector>();
        services.TryAddSingleton<TrainingApi>();
        services.TryAddSingleton<ReportsApi>();
        services.TryAddSingleton<TrainingEventRouter>();
        services.TryAddSingleton<UploadSignal>();

        // Activities are created per call by the Durable Task worker; the Functions app resolves them itself.
        foreach (var type in Activities)
        {
            services.TryAddTransient(type);
        }

        return services;
    }
}
