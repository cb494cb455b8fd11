using System.Globalization;
using System.Text.Json;
using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Contracts.Training;
using Microsoft.DurableTask;

using BertFunctions.Contracts.Models;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// One training run, start to finish: validate, ingest (fan-out per dataset and per work unit), train (finetune: one
/// classify job; dapt: MLM from the pretrained model, then classify from its checkpoint; scratch: domain vocabulary,
/// MLM from random initialisation, then classify), evaluate the live model on the same test split, promote the
/// candidate only if it beats it, and record the run. Deterministic: all I/O is in activities and in the trainer,
/// which reports through external events.
/// </summary>
public sealed class TrainingRunOrchestrator : TaskOrchestrator<TrainingRunInput, RunOutcome>
{
    public override async Task<RunOutcome> RunAsync(TaskOrchestrationContext context, TrainingRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        var run = new RunContext(context, input.Settings, context.WaitForExternalEvent<string>(RunIds.CancelEvent));
        var record = new RunRecord { Id = context.InstanceId, Request = request, State = RunStates.Running, StartedAt = context.CurrentUtcDateTime };
        await context.CallActivityAsync<bool>(nameof(RecordRunActivity), record, Retries.Storage);
        try
        {
            var outcome = await TrainAsync(run, request);
            await context.CallActivityAsync<bool>(nameof(RecordRunActivity), record with { State = outcome.State, EndedAt = context.CurrentUtcDateTime, Outcome = outcome }, Retries.Storage);
            run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Metrics = outcome.Metrics, Message = outcome.Reason });
            return outcome;
        }
        catch (Exception e) when (e is TaskFailedException or RunFailedException)
        {
            var reason = Reason(e);
            await context.CallActivityAsync<bool>(nameof(RecordRunActivity), record with { State = RunStates.Failed, EndedAt = context.CurrentUtcDateTime, Error = reason }, Retries.Storage);
            run.Report(new RunStatus { Phase = RunPhases.Done, Percent = 100, Message = "failed: " + reason });
            throw new RunFailedException(reason);
        }
    }

    private static async Task<RunOutcome> TrainAsync(RunContext run, TrainingRunRequest request)
    {
        var context = run.Context;
        var id = context.InstanceId;
        var pretrains = request.Strategy is TrainingStrategy.Dapt or TrainingStrategy.Tapt or TrainingStrategy.Scratch;

        // Validate: the request was checked by the starter; here, what is in storage.
        var uploads = await run.InspectLabeledUploadsAsync(request.Dataset);

        // Domain text: uploads/raw/{dataset}/ when there is any, else the labeled uploads read as plain text.
        var textFromLabeled = uploads.RawFiles == 0;
        var vocabulary = IngestionRequest.BundledVocabulary;
        if (request.Strategy == TrainingStrategy.Scratch)
        {
            run.Report(new RunStatus { Phase = RunPhases.Vocabulary, Percent = 3 });
            vocabulary = await context.CallActivityAsync<string>(nameof(TrainVocabularyActivity), new VocabularyInput(request.Dataset, textFromLabeled, request.VocabularySize, LowerCase: true, TextRequest(request, IngestionRequest.BundledVocabulary, textFromLabeled).Reading), Retries.Storage);
        }

        run.Report(new RunStatus { Phase = RunPhases.Ingesting, Percent = 5 });
        var labeledTask = IngestAsync(context, LabeledRequest(request, vocabulary), $"{id}-labeled");
        // TAPT's text is the task's own: the labeled texts, whatever raw/ holds.
        var textTask = pretrains ? IngestAsync(context, TextRequest(request, vocabulary, textFromLabeled || request.Strategy == TrainingStrategy.Tapt), $"{id}-text") : null;
        var labeled = await labeledTask;
        var text = textTask is null ? null : await textTask;
        var versions = new Dictionary<string, string> { ["labeled"] = labeled.Version };
        if (text is not null)
        {
            versions["text"] = text.Version;
        }

        // Train.
        var fineTuneBase = ParseBase(request.BaseModel);
        if (text is not null)
        {
            var mlm = new TrainingJobSpec
            {
                JobId = RunIds.Job(id, RunIds.MlmStage),
                Mode = JobMode.Mlm,
                Base = request.Strategy == TrainingStrategy.Scratch ? ModelBase.None : fineTuneBase,
                Config = request.Strategy == TrainingStrategy.Scratch ? request.ScratchConfig ?? DefaultScratchConfig : null,
                Dataset = new DatasetReference(text.Dataset, text.Version),
                Hyperparameters = request.WithPrecision(request.Pretraining ?? DefaultPretraining),
                Seed = request.Seed,
            };
            if (await run.RunJobAsync(mlm, RunPhases.Pretraining, 15, 55) is null)
            {
                return Cancelled(versions);
            }

            fineTuneBase = new ModelBase(ModelBaseKind.Checkpoint, mlm.JobId);
        }

        var classify = new TrainingJobSpec
        {
            JobId = RunIds.Job(id, RunIds.ClassifyStage),
            Mode = JobMode.Classify,
            Base = fineTuneBase,
            Dataset = new DatasetReference(labeled.Dataset, labeled.Version),
            Hyperparameters = FineTuningPlan.ForBudget(ForStrategy(request.Strategy, request.WithPrecision(request.FineTuning ?? DefaultFineTuning)), request.FineTuning?.TrainExamples ?? 0),
            Output = new ModelPackageReference(request.ModelName, id),
            Seed = request.Seed,
        };
        var done = await run.RunJobAsync(classify, RunPhases.FineTuning, pretrains ? 55 : 15, 92);
        if (done is null)
        {
            return Cancelled(versions);
        }

        var candidate = done.Metrics ?? new Dictionary<string, double>();

        // Champion/challenger on the same held-out validation split (test is reported, not decided on).
        run.Report(new RunStatus { Phase = RunPhases.Evaluating, Percent = 93, Metrics = candidate });
        var gate = await ChampionGate.OfferAsync(run, request, labeled, vocabulary, new LiveModel
        {
            Name = request.ModelName,
            Version = id,
            Package = classify.Output!.Prefix,
            Metrics = candidate,
            DatasetVersion = labeled.Version,
            Vocabulary = vocabulary,
            RunId = id,
            PromotedAt = context.CurrentUtcDateTime,
            Labels = labeled.Labels,
            LabelContract = LabelContract.Of(labeled.Labels, request.Reading),
        }, request.AllowLabelChange, attempt => RunIds.Job(id, RunIds.ChampionStage + (attempt == 1 ? "" : attempt.ToString(CultureInfo.InvariantCulture))));
        if (gate is null)
        {
            return Cancelled(versions);
        }

        var (decision, champion) = (gate.Decision, gate.Champion);
        if (decision.Promote)
        {
            run.Report(new RunStatus { Phase = RunPhases.Promoting, Percent = 98, Metrics = candidate, Message = decision.Reason });
        }

        return new RunOutcome
        {
            State = RunStates.Completed,
            ModelPackage = done.ModelPackage ?? classify.Output!.Prefix,
            ModelVersion = id,
            Promoted = decision.Promote,
            Reason = decision.Reason,
            Metrics = candidate,
            ChampionMetrics = champion,
            DatasetVersions = versions,
        };
    }

    /// <summary>The live model's metrics on this run's validation and test splits: reused when it was measured on them, else an evaluate job.</summary>
    internal static async Task<IReadOnlyDictionary<string, double>?> EvaluateChampionAsync(RunContext run, TrainingRunRequest request, LiveModel live, IngestedDataset labeled, string vocabulary, string? jobId = null)
    {
        if (live.DatasetVersion == labeled.Version)
        {
            return live.Metrics;
        }

        // Same documents, but tokenized with the champion's vocabulary when it differs (content-addressed: cheap if it exists).
        var data = live.Vocabulary == vocabulary
            ? labeled
            : await IngestAsync(run.Context, LabeledRequest(request, live.Vocabulary), $"{run.Context.InstanceId}-champion");
        var evaluate = new TrainingJobSpec
        {
            JobId = jobId ?? RunIds.Job(run.Context.InstanceId, RunIds.ChampionStage),
            Mode = JobMode.Evaluate,
            Base = new ModelBase(ModelBaseKind.Package, live.Package.TrimEnd('/')),
            Dataset = new DatasetReference(data.Dataset, data.Version),
            Seed = request.Seed,
        };
        var done = await run.RunJobAsync(evaluate, RunPhases.Evaluating, 93, 97);
        return done is null ? null : done.Metrics ?? new Dictionary<string, double>();
    }

    internal static Task<IngestedDataset> IngestAsync(TaskOrchestrationContext context, IngestionRequest request, string instanceId) =>
        context.CallSubOrchestratorAsync<IngestedDataset>(nameof(IngestDatasetOrchestrator), request, new SubOrchestrationOptions(Retries.Storage, instanceId));

    internal static IngestionRequest LabeledRequest(TrainingRunRequest request, string vocabulary) => new()
    {
        Dataset = request.Dataset,
        Kind = DatasetKind.Classification,
        Reading = (request.Reading ?? new IngestionOptions { LabelFromFolder = true }) with { Labeled = true },
        Vocabulary = vocabulary,
    };

    /// <summary>
    /// The domain text: the <c>raw/</c> uploads, or, when there are none, the labeled uploads read exactly as the
    /// labeled dataset reads them (labels included), so that ingestion stratifies them the same way and every email
    /// lands in the same split in both versions: no validation or test email is in the MLM training text.
    /// </summary>
    internal static IngestionRequest TextRequest(TrainingRunRequest request, string vocabulary, bool fromLabeled) => new()
    {
        Dataset = request.Dataset,
        Kind = DatasetKind.Pretraining,
        UploadsOf = fromLabeled ? DatasetKind.Classification : DatasetKind.Pretraining,
        Reading = fromLabeled ? LabeledRequest(request, vocabulary).Reading : new IngestionOptions(),
        Vocabulary = vocabulary,
    };

    internal static ModelBase ParseBase(string reference) => reference.Split(':', 2) switch
    {
        ["minilm"] => ModelBase.MiniLm,
        ["package", var package] => new ModelBase(ModelBaseKind.Package, package),
        ["hf", var prefix] => new ModelBase(ModelBaseKind.HfDirectory, prefix),
        _ => throw new RunFailedException($"base model '{reference}' is not minilm, package:NAME/VERSION or hf:PREFIX"),
    };

    private static RunOutcome Cancelled(IReadOnlyDictionary<string, string> versions) =>
        new() { State = RunStates.Cancelled, Reason = "cancelled on request", DatasetVersions = versions };

    /// <summary>The innermost message: what actually went wrong, not the chain of tasks that reported it.</summary>
    internal static string Reason(Exception e)
    {
        if (e is TaskFailedException { FailureDetails: { } details })
        {
            while (details.InnerFailure is { } inner)
            {
                details = inner;
            }

            return details.ErrorMessage;
        }

        return e.Message;
    }

    /// <summary>Fine-tuning defaults: the recipe of docs/results.md (2 epochs, 5e-5, batch 32).</summary>
    public static Hyperparameters DefaultFineTuning { get; } = new() { Epochs = 2, EvalEverySteps = 100, CheckpointEverySteps = 100 };

    /// <summary>
    /// The fine-tuning recipe of a strategy: as given, except for <c>embeddings</c>, whose frozen encoder leaves a
    /// linear classifier on fixed features to train: no dropout, and 1e-3, since at fine-tuning's 5e-5 a fresh linear
    /// head barely moves in a few hundred steps.
    /// </summary>
    public static Hyperparameters ForStrategy(TrainingStrategy strategy, Hyperparameters recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return strategy == TrainingStrategy.Embeddings
            ? recipe with { FreezeEncoder = true, LearningRate = EmbeddingsLearningRate, HiddenDropout = 0 }
            : recipe;
    }

    /// <summary>
    /// Fitting a new MLM head to a pretrained encoder before domain-adaptive pretraining: the encoder frozen, the head
    /// trained at 1e-3, validation every 25 steps, stopped when its MLM loss has not improved for 2 evaluations (at most
    /// the adaptation's steps), the best kept. Its final validation loss is the adaptation's true starting point.
    /// </summary>
    public static Hyperparameters HeadFitting(Hyperparameters pretraining)
    {
        ArgumentNullException.ThrowIfNull(pretraining);
        return pretraining with
        {
            FreezeEncoder = true,
            LearningRate = 1e-3,
            MaxSteps = pretraining.MaxSteps ?? DefaultPretraining.MaxSteps,
            EvalEverySteps = 25,
            EarlyStoppingPatience = 2,
            EarlyStoppingMetric = "loss",
            KeepBest = true,
        };
    }

    /// <summary>The learning rate of the embeddings strategy's linear classifier.</summary>
    public const double EmbeddingsLearningRate = 1e-3;

    /// <summary>MLM defaults for dapt and scratch: 1e-4, a bounded number of steps.</summary>
    public static Hyperparameters DefaultPretraining { get; } = new() { LearningRate = 1e-4, MaxSteps = 1_000, EvalEverySteps = 250, CheckpointEverySteps = 250 };

    /// <summary>Pretraining from scratch: MiniLM-L6's shape (samples/configs/minilm-l6-h384-uncased.json); vocab_size comes from the dataset.</summary>
    public static JsonElement DefaultScratchConfig { get; } = JsonDocument.Parse("""
        {"model_type":"bert","hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,
         "hidden_act":"gelu","hidden_dropout_prob":0.1,"attention_probs_dropout_prob":0.1,"max_position_embeddings":512,
         "type_vocab_size":2,"initializer_range":0.02,"layer_norm_eps":1e-12,"pad_token_id":0}
        """).RootElement.Clone();
}
