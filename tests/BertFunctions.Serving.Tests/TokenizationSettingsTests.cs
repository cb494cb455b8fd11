using BertFunctions.Datasets;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Tests;

/// <summary>Where a model's tokenization comes from when its package cannot say.</summary>
public sealed class TokenizationSettingsTests(ServingWorld world)
{
    [Fact]
    public async Task A_package_whose_job_json_is_no_training_spec_gets_ingestions_defaults_and_says_so()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var model = TinyClassifiers.Create(seed: 51))
        {
            await world.WritePackageAsync("legacy", "v1", model, jobJson: """{"job_id": "job-42", "dataset": "spam", "epochs": 3}""");
        }

        await world.PromoteAsync("legacy", "v1");
        await using var host = await ServingHost.StartAsync(world.Blobs, o => o.DefaultModel = "legacy");
        using var lease = await host.Models.AcquireAsync(null, ct);
        Assert.Equal(new ClassificationOptions(), lease.Model.Tokenization.Classification);
        Assert.StartsWith("defaults: its job.json is not a training job spec", lease.Model.Tokenization.Source, StringComparison.Ordinal);
        Assert.Contains(host.Logs.AtLeast(LogLevel.Warning), e => e.Contains("legacy/v1: tokenizing with ingestion's defaults", StringComparison.Ordinal));
        Assert.True(lease.Model.Classify([string.Join(' ', Enumerable.Repeat("word", 200))])[0].Truncated);
    }
}
