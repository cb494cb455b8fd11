using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>The compute budget: parsed as users write it, spent fine-tuning first, the rest on pretraining, never more than given.</summary>
public sealed class ExperimentPlannerTests
{
    // MiniLM-L6-H384 without embeddings, counted by hand: per layer 4·384² + 8·384 (attention and its LayerNorm,
    // the output LayerNorm) + 2·384·1536 + 1536 + 384 (the feed-forward) = 1,774,464; six layers, plus the MLM head's
    // transform 384² + 3·384.
    private const double MiniLm = (6 * 1_774_464) + 148_608;

    private static readonly ExperimentRequest Everything = new()
    {
        Dataset = "spam",
        Strategies = [TrainingStrategy.Finetune, TrainingStrategy.Dapt, TrainingStrategy.Scratch, TrainingStrategy.Embeddings, TrainingStrategy.Baseline],
        Budgets = [50, 200, 1000, 0],
        Seeds = [42, 1, 7],
        VocabularySize = 8_000,
        ComputeBudget = "4h",
    };

    [Theory]
    [InlineData("2h", 7200.0, null)]
    [InlineData("90m", 5400.0, null)]
    [InlineData("45 min", 2700.0, null)]
    [InlineData("5400s", 5400.0, null)]
    [InlineData("1.5h", 5400.0, null)]
    [InlineData("150M tokens", null, 150_000_000L)]
    [InlineData("1.5e8 tokens", null, 150_000_000L)]
    [InlineData("2000 tokens", null, 2_000L)]
    public void Budgets_are_written_as_people_write_them(string text, double? seconds, long? tokens)
    {
        var budget = ComputeBudget.Parse(text);

        Assert.Equal(seconds, budget.Time?.TotalSeconds);
        Assert.Equal(tokens, budget.Tokens);
    }

    [Theory]
    [InlineData("2 hours")]
    [InlineData("0h")]
    [InlineData("-1h")]
    [InlineData("8d")]
    [InlineData("200h")] // over a week
    [InlineData("lots")]
    [InlineData("150M")] // a count of what?
    public void A_budget_that_is_not_one_is_refused_with_what_is_accepted(string text)
    {
        var e = Assert.Throws<RunRequestException>(() => ComputeBudget.Parse(text));

        Assert.Contains("compute_budget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_jobs_spend_the_budget_and_never_more()
    {
        var plan = ExperimentPlanner.Plan(Everything, trainExamples: 4_718, flopsPerSecond: 1.5e11);

        Assert.Equal(4 * 3600 * 1.5e11, plan.BudgetFlops);
        Assert.True(plan.PlannedFlops <= plan.BudgetFlops, $"{plan.PlannedFlops:G4} planned of {plan.BudgetFlops:G4}");
        // What is left is the rounding of each pretraining job's steps: less than one step each (a step of DAPT is
        // the most expensive one: 4,096 tokens at 6 × (MiniLM + 15 % of 384 × 30,522) FLOPs).
        var pretraining = plan.Jobs.Where(j => j.Pretraining).ToList();
        Assert.Equal(["dapt-head", "dapt-mlm", "scratch-mlm"], pretraining.Select(j => j.Arm));
        Assert.True(plan.BudgetFlops - plan.PlannedFlops < pretraining.Count * 4_096 * 6 * (MiniLm + (0.15 * 384 * 30_522)));
        // Independently: every line's FLOPs are 6 x parameters x tokens x jobs (fine-tuning at MiniLM's size, the frozen-encoder arm forward only).
        var finetuneAll = Assert.Single(plan.Jobs, j => j.Arm == "finetune ball");
        Assert.Equal((3, 295L, 295L * 32 * 128), (finetuneAll.Count, finetuneAll.Steps, finetuneAll.Tokens)); // 2 epochs of 4,718 in batches of 32
        Assert.Equal(6 * MiniLm * finetuneAll.Tokens * 3, finetuneAll.Flops, 1e-9 * finetuneAll.Flops);
        Assert.Equal(100, Assert.Single(plan.Jobs, j => j.Arm == "dapt b50").Steps); // the fine-tuning floor
        Assert.Equal(2 * MiniLm * 100 * 4_096 * 3, Assert.Single(plan.Jobs, j => j.Arm == "embeddings b1000").Flops, 1e3);
        Assert.DoesNotContain(plan.Jobs, j => j.Arm.StartsWith("baseline", StringComparison.Ordinal)); // seconds of CPU, no training FLOPs
        Assert.Equal(16, plan.Jobs.Count(j => !j.Pretraining)); // 4 strategies that train x 4 label budgets
        Assert.True(plan.StepsOf("dapt-head") <= ExperimentPlanner.HeadFittingSteps);
        Assert.Contains(plan.Notes, n => n.StartsWith("dapt-mlm: ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_model_from_scratch_is_the_largest_its_share_trains_on_20_tokens_per_parameter()
    {
        foreach (var budget in new[] { "4h", "40h", "160h" })
        {
            var plan = ExperimentPlanner.Plan(Everything with { ComputeBudget = budget }, 4_718, 1.5e11);
            var scratch = Assert.Single(plan.Jobs, j => j.Arm == "scratch-mlm");
            var size = ExperimentPlanner.ScratchSizes.Select((s, i) => (s, i)).Single(x => x.s.Name == plan.ScratchSize);
            var parameters = ScratchBudget.NonEmbeddingParameters(size.s.Config);

            Assert.True(scratch.Tokens >= 20 * parameters, $"{budget}: {scratch.Tokens:N0} tokens for {parameters:N0} parameters");
            if (size.i + 1 < ExperimentPlanner.ScratchSizes.Count)
            {
                // The next size up would get fewer than 20 tokens per parameter from the same FLOPs.
                var next = ExperimentPlanner.ScratchSizes[size.i + 1].Config;
                var nextParameters = ScratchBudget.NonEmbeddingParameters(next);
                var perToken = (6.0 * nextParameters) + (6 * 0.15 * ScratchBudget.Shape(next).Hidden * 8_000);
                Assert.True(scratch.Flops / perToken < 20 * nextParameters, $"{budget}: the next size fits too");
            }
        }

        Assert.Equal("tiny (2 layers, hidden 128)", ExperimentPlanner.Plan(Everything, 4_718, 1.5e11).ScratchSize);
        Assert.Equal("small (4 layers, hidden 512)", ExperimentPlanner.Plan(Everything with { ComputeBudget = "160h" }, 4_718, 1.5e11).ScratchSize);
        // The same 4 hours at a GPU's sustained 100 TFLOP/s buy the largest size.
        Assert.Equal("medium (8 layers, hidden 512)", ExperimentPlanner.Plan(Everything, 4_718, 1e14).ScratchSize);
    }

    [Fact]
    public void A_budget_that_cannot_pay_for_the_fine_tuning_is_refused_before_anything_runs()
    {
        var e = Assert.Throws<RunFailedException>(() => ExperimentPlanner.Plan(Everything with { ComputeBudget = "30m" }, 4_718, 1.5e11));

        Assert.Contains("does not cover this experiment: its fine-tuning alone takes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_budget_is_tokens_of_the_base_model_and_needs_no_rate()
    {
        var plan = ExperimentPlanner.Plan(Everything with { ComputeBudget = "1e9 tokens" }, 4_718, 1.5e11);

        Assert.Equal(6 * MiniLm * 1e9, plan.BudgetFlops, 1e-9 * plan.BudgetFlops);
        Assert.Equal(plan.BudgetFlops, ExperimentPlanner.Plan(Everything with { ComputeBudget = "1e9 tokens" }, 4_718, 1e15).BudgetFlops);
    }

    [Theory]
    [InlineData("{\"dataset\": \"spam\", \"compute_budget\": \"soon\"}", "compute_budget")]
    [InlineData("{\"dataset\": \"spam\", \"compute_budget\": \"2h\", \"pretraining\": {\"max_steps\": 100}}", "pretraining.max_steps")]
    public void A_request_with_a_budget_names_what_is_wrong(string json, string field)
    {
        var e = Assert.Throws<RunRequestException>(() => ExperimentRequest.FromJson(json));

        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }
}
