using BertFunctions.Contracts.Training;

namespace BertFunctions.Trainer.Tests;

public sealed class JobSpecTests
{
    private const string Valid = """
        {
          "job_id": "spam-finetune-1",
          "mode": "classify",
          "base": { "kind": "minilm" },
          "dataset": { "name": "spam", "version": "1ae77f9192e8a46068ebc97c093bb320" },
          "hyperparameters": { "learning_rate": 3e-5, "epochs": 2, "class_weights": true },
          "output": { "name": "spam", "version": "v1" },
          "seed": 7
        }
        """;

    [Fact]
    public void A_valid_spec_round_trips()
    {
        var spec = TrainingJobSpec.FromJson(Valid);

        Assert.Equal(JobMode.Classify, spec.Mode);
        Assert.Equal(ModelBaseKind.MiniLm, spec.Base.Kind);
        Assert.Equal(3e-5, spec.Hyperparameters.LearningRate);
        Assert.True(spec.Hyperparameters.ClassWeights);
        Assert.Equal(32, spec.Hyperparameters.BatchSize);
        Assert.Equal(spec, TrainingJobSpec.FromJson(spec.ToJson()) with { Config = spec.Config });
    }

    [Theory]
    [InlineData("\"learning_rate\": 3e-5", "\"learning_rte\": 3e-5", "learning_rte")]
    [InlineData("\"mode\": \"classify\"", "\"mode\": \"regress\"", "$.mode")]
    [InlineData("\"job_id\": \"spam-finetune-1\"", "\"job_id\": \"Spam Finetune\"", "job_id")]
    [InlineData("\"epochs\": 2", "\"epochs\": -1", "hyperparameters.epochs")]
    [InlineData("{ \"kind\": \"minilm\" }", "{ \"kind\": \"checkpoint\" }", "base.reference")]
    [InlineData("{ \"kind\": \"minilm\" }", "{ \"kind\": \"hf\", \"reference\": \"../../etc\" }", "base.reference")]
    [InlineData("\"mode\": \"classify\"", "\"run_id\": \"two words\", \"mode\": \"classify\"", "run_id")]
    public void Unknown_fields_and_invalid_values_are_refused_with_the_field_named(string from, string to, string expected)
    {
        var e = Assert.Throws<JobSpecException>(() => TrainingJobSpec.FromJson(Valid.Replace(from, to, StringComparison.Ordinal)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_field_is_refused()
    {
        var e = Assert.Throws<JobSpecException>(() => TrainingJobSpec.FromJson("{\"job_id\": \"a\", \"mode\": \"mlm\"}"));
        Assert.Contains("job spec is not valid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_round_trip_and_tolerate_new_fields()
    {
        var e = new TrainingEvent { JobId = "j", Kind = TrainingEventKind.Progress, At = DateTimeOffset.UnixEpoch, Step = 5, Loss = 0.5, Metrics = new Dictionary<string, double> { ["validation.accuracy"] = 0.9 } };
        var json = e.ToJson();
        Assert.Contains("\"kind\":\"progress\"", json, StringComparison.Ordinal);
        var back = TrainingEvent.FromJson(json.Replace("{", "{\"future_field\":1,", StringComparison.Ordinal));
        Assert.Equal(5, back.Step);
        Assert.Equal(0.9, back.Metrics!["validation.accuracy"]);
    }
}
