using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// The hyperparameters a run or experiment trains with when its request leaves them out, and the adjustments a
/// strategy or stage makes to a recipe. Shared by training runs, experiments and the compute-budget planner, so all
/// three train (and estimate) the same jobs.
/// </summary>
public static class TrainingRecipes
{
    /// <summary>Fine-tuning defaults: the recipe of docs/results.md (2 epochs, 5e-5, batch 32).</summary>
    public static Hyperparameters DefaultFineTuning { get; } = new() { Epochs = 2, EvalEverySteps = 100, CheckpointEverySteps = 100 };

    /// <summary>MLM defaults for dapt and scratch: 1e-4, a bounded number of steps.</summary>
    public static Hyperparameters DefaultPretraining { get; } = new() { LearningRate = 1e-4, MaxSteps = 1_000, EvalEverySteps = 250, CheckpointEverySteps = 250 };

    /// <summary>Pretraining from scratch: MiniLM-L6's shape (samples/configs/minilm-l6-h384-uncased.json); vocab_size comes from the dataset.</summary>
    public static JsonElement DefaultScratchConfig { get; } = JsonDocument.Parse("""
        {"model_type":"bert","hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,
         "hidden_act":"gelu","hidden_dropout_prob":0.1,"attention_probs_dropout_prob":0.1,"max_position_embeddings":512,
         "type_vocab_size":2,"initializer_range":0.02,"layer_norm_eps":1e-12,"pad_token_id":0}
        """).RootElement.Clone();

    /// <summary>The learning rate of the embeddings strategy's linear classifier.</summary>
    public const double EmbeddingsLearningRate = 1e-3;

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
}
