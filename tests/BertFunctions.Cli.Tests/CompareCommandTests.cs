using BertFunctions.Cli.Commands;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Cli.Tests;

/// <summary><c>bertfn compare</c>'s options: what experiment they describe, and a one-line error before anything starts when they are wrong.</summary>
public sealed class CompareCommandTests
{
    [Fact]
    public void The_options_describe_the_experiment_the_api_gets()
    {
        var request = CompareCommand.Request(new CompareCommand.Settings { Strategies = "dapt, Scratch", Budgets = "50,all", Seeds = "3", Steps = 7, Promote = true });

        Assert.Equal([TrainingStrategy.Dapt, TrainingStrategy.Scratch], request.Strategies);
        Assert.Equal([50, 0], request.Budgets);
        Assert.Equal([3], request.Seeds);
        Assert.Equal(7, request.FineTuning!.MaxSteps);
        Assert.True(request.Promote);
        Assert.Equal(request.ToJson(), ExperimentRequest.FromJson(request.ToJson()).ToJson()); // what the API accepts
    }

    [Fact]
    public void Without_steps_the_budget_planner_sizes_the_arms_and_footers_can_be_stripped()
    {
        var request = CompareCommand.Request(new CompareCommand.Settings { Budgets = "50,all", StripListFooters = true });

        Assert.Null(request.FineTuning!.MaxSteps); // the planner's: 2 epochs of the arm's labels, at least 100 steps
        Assert.Equal(2, request.FineTuning.Epochs);
        Assert.True(request.Reading!.StripListFooters);
        Assert.False(CompareCommand.Request(new CompareCommand.Settings()).Reading!.StripListFooters);
    }

    [Theory]
    [InlineData("--strategies", "finetune,bert", "'bert' is not finetune, dapt, tapt, dapt+tapt, scratch, embeddings or baseline")]
    [InlineData("--budgets", "50,lots", "--budgets: 'lots' is not a whole number")]
    [InlineData("--budgets", "1", "budgets")]
    [InlineData("--seeds", "1,1", "seeds")]
    [InlineData("--seeds", ",", "--seeds is empty")]
    public async Task Bad_options_are_a_one_line_usage_error(string option, string value, string message)
    {
        var result = await CliRunner.RunAsync("", "compare", option, value);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_compute_budget_leaves_the_pretraining_steps_and_the_scratch_size_to_the_plan()
    {
        var request = CompareCommand.Request(new CompareCommand.Settings { Budget = "2h" });

        Assert.Equal("2h", request.ComputeBudget);
        Assert.Null(request.Pretraining!.MaxSteps);
        Assert.Null(request.ScratchConfig);
        Assert.Equal("--pretrain-steps and --budget exclude each other: the budget plans the pretraining steps", new CompareCommand.Settings { Budget = "2h", PretrainSteps = 10 }.Validate().Message);
    }
}
