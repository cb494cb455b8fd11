using System.Text.Json;
using BertFunctions.Contracts.Training;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The estimate of what pretraining from scratch gets, and the warning given before any compute is spent.</summary>
public sealed class ScratchBudgetTests
{
    private static JsonElement Config(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void The_parameter_count_agrees_with_minilms_published_size()
    {
        // all-MiniLM-L6-v2 (BertModel, with pooler) has 22,713,216 parameters. Take away what the estimate leaves out
        // (embeddings: word, position, token type, LayerNorm; the pooler) and add the MLM head's transform.
        const long H = 384, published = 22_713_216;
        var embeddings = (30_522 * H) + (512 * H) + (2 * H) + (2 * H);
        var pooler = (H * H) + H;
        var transform = (H * H) + H + (2 * H);

        var budget = ScratchBudget.Estimate(Config("""{"hidden_size": 384, "num_hidden_layers": 6, "intermediate_size": 1536}"""), new Hyperparameters { MaxSteps = 1_000, BatchSize = 32 }, 128)!;

        Assert.Equal(published - embeddings - pooler + transform, budget.Parameters);
        Assert.Equal(1_000L * 32 * 128, budget.Tokens);
        Assert.Equal(6.0 * budget.Parameters * budget.Tokens, budget.Flops);
    }

    [Fact]
    public void A_budget_below_twenty_tokens_per_parameter_is_warned_about_and_one_above_is_not()
    {
        var tiny = Config("""{"hidden_size": 32, "num_hidden_layers": 2, "intermediate_size": 64}""");
        var small = ScratchBudget.Estimate(tiny, new Hyperparameters { MaxSteps = 4, BatchSize = 8 }, 128)!;
        var enough = ScratchBudget.Estimate(tiny, new Hyperparameters { MaxSteps = 400, BatchSize = 8 }, 128)!; // 409,600 tokens for 18,208 parameters

        Assert.Equal(18_208, small.Parameters);
        Assert.True(small.TooSmall);
        Assert.Contains("4,096 tokens for a model of 18,208 non-embedding parameters (0.22 tokens per parameter", small.Warning, StringComparison.Ordinal);
        Assert.False(enough.TooSmall);
        Assert.Null(enough.Warning);
        Assert.Null(ScratchBudget.Estimate(tiny, new Hyperparameters { Epochs = 3 }, 128)); // steps depend on the corpus: no estimate
    }

    [Fact]
    public void An_experiment_warns_only_when_it_pretrains_from_scratch()
    {
        var withScratch = new ExperimentRequest { Dataset = "spam" }; // the defaults: MiniLM-L6's shape, 1,000 MLM steps
        var without = withScratch with { Strategies = [TrainingStrategy.Finetune, TrainingStrategy.Dapt, TrainingStrategy.Embeddings] };

        Assert.Contains("pretraining from scratch gets 4,096,000 tokens", Assert.Single(withScratch.Warnings()), StringComparison.Ordinal);
        Assert.Empty(without.Warnings());
    }
}
