using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace BertFunctions.Functions.Durable;

/// <summary>
/// The pipeline's activities as Functions: each resolves the activity class from DI (registered by AddPipeline) and
/// runs it, so the Functions app and the local host execute the same code. The names are the class names, which is
/// what the orchestrators call.
/// </summary>
public sealed class ActivityFunctions(IServiceProvider services)
{
    [Function(nameof(PlanIngestionActivity))]
    public Task<PlanSummary> PlanIngestion([ActivityTrigger] PlanIngestionInput input, FunctionContext context) => Run<PlanIngestionActivity, PlanIngestionInput, PlanSummary>(input, context);

    [Function(nameof(ReadUnitActivity))]
    public Task<UnitReadResult> ReadUnit([ActivityTrigger] UnitInputRef input, FunctionContext context) => Run<ReadUnitActivity, UnitInputRef, UnitReadResult>(input, context);

    [Function(nameof(ConsolidateActivity))]
    public Task<ConsolidationResult> Consolidate([ActivityTrigger] ConsolidateInput input, FunctionContext context) => Run<ConsolidateActivity, ConsolidateInput, ConsolidationResult>(input, context);

    [Function(nameof(BuildUnitShardsActivity))]
    public Task<UnitShardResult> BuildUnitShards([ActivityTrigger] BuildShardsInput input, FunctionContext context) => Run<BuildUnitShardsActivity, BuildShardsInput, UnitShardResult>(input, context);

    [Function(nameof(FinalizeIngestionActivity))]
    public Task<IngestedDataset> FinalizeIngestion([ActivityTrigger] FinalizeInput input, FunctionContext context) => Run<FinalizeIngestionActivity, FinalizeInput, IngestedDataset>(input, context);

    [Function(nameof(ReuseVersionActivity))]
    public Task<IngestedDataset> ReuseVersion([ActivityTrigger] ReuseInput input, FunctionContext context) => Run<ReuseVersionActivity, ReuseInput, IngestedDataset>(input, context);

    [Function(nameof(InspectUploadsActivity))]
    public Task<UploadsSummary> InspectUploads([ActivityTrigger] string input, FunctionContext context) => Run<InspectUploadsActivity, string, UploadsSummary>(input, context);

    [Function(nameof(TrainVocabularyActivity))]
    public Task<string> TrainVocabulary([ActivityTrigger] VocabularyInput input, FunctionContext context) => Run<TrainVocabularyActivity, VocabularyInput, string>(input, context);

    [Function(nameof(DispatchTrainingJobActivity))]
    public Task<bool> DispatchTrainingJob([ActivityTrigger] DispatchInput input, FunctionContext context) => Run<DispatchTrainingJobActivity, DispatchInput, bool>(input, context);

    [Function(nameof(ReadLiveModelActivity))]
    public Task<LiveModelRead> ReadLiveModel([ActivityTrigger] string input, FunctionContext context) => Run<ReadLiveModelActivity, string, LiveModelRead>(input, context);

    [Function(nameof(RequestJobCancelActivity))]
    public Task<bool> RequestJobCancel([ActivityTrigger] string input, FunctionContext context) => Run<RequestJobCancelActivity, string, bool>(input, context);

    [Function(nameof(VerifyPackageActivity))]
    public Task<string?> VerifyPackage([ActivityTrigger] PackageToVerify input, FunctionContext context) => Run<VerifyPackageActivity, PackageToVerify, string?>(input, context);

    [Function(nameof(PromoteModelActivity))]
    public Task<bool> PromoteModel([ActivityTrigger] PromotionInput input, FunctionContext context) => Run<PromoteModelActivity, PromotionInput, bool>(input, context);

    [Function(nameof(RecordRunActivity))]
    public Task<bool> RecordRun([ActivityTrigger] RunRecord input, FunctionContext context) => Run<RecordRunActivity, RunRecord, bool>(input, context);

    [Function(nameof(ReadRunRecordActivity))]
    public Task<RunRecord?> ReadRunRecord([ActivityTrigger] string input, FunctionContext context) => Run<ReadRunRecordActivity, string, RunRecord?>(input, context);

    [Function(nameof(RecordExperimentActivity))]
    public Task<bool> RecordExperiment([ActivityTrigger] ExperimentResult input, FunctionContext context) => Run<RecordExperimentActivity, ExperimentResult, bool>(input, context);

    [Function(nameof(WriteExperimentReportActivity))]
    public Task<string> WriteExperimentReport([ActivityTrigger] string input, FunctionContext context) => Run<WriteExperimentReportActivity, string, string>(input, context);

    [Function(nameof(PairedComparisonActivity))]
    public Task<List<PairedComparison>> PairedComparison([ActivityTrigger] ExperimentResult input, FunctionContext context) => Run<PairedComparisonActivity, ExperimentResult, List<PairedComparison>>(input, context);

    [Function(nameof(ReadClassReportsActivity))]
    public Task<Dictionary<string, ClassReport>?> ReadClassReports([ActivityTrigger] ClassReportSource input, FunctionContext context) => Run<ReadClassReportsActivity, ClassReportSource, Dictionary<string, ClassReport>?>(input, context);

    private Task<TOut> Run<TActivity, TIn, TOut>(TIn input, FunctionContext context)
        where TActivity : TaskActivity<TIn, TOut>
    {
        ArgumentNullException.ThrowIfNull(context);
        var activity = services.GetRequiredService<TActivity>();
        return activity.RunAsync(new FunctionActivityContext(typeof(TActivity).Name, context.InvocationId), input);
    }

    /// <summary>What an activity class sees of its invocation when the Functions host runs it.</summary>
    private sealed class FunctionActivityContext(string name, string invocationId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = invocationId;
    }
}
