using BertFunctions.Contracts.Storage;

namespace BertFunctions.Cli.Tests;

public sealed class ZeroShotCommandTests
{
    [Fact]
    public async Task The_zero_shot_baseline_ingests_the_real_emails_into_blob_storage_and_scores_held_out_examples()
    {
        await using var azurite = await AzuriteEmulator.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync("", "zero-shot", "--per-label", "10", "--test-limit", "40", "--storage", azurite.ConnectionString);

        Assert.True(result.ExitCode == 0, result.Stderr);
        // The table may wrap cells on a narrow console; assert on the pieces.
        Assert.Contains("spam-assassin", result.Stdout, StringComparison.Ordinal);
        Assert.Matches("[0-9a-f]{32}", result.Stdout);
        Assert.Contains("20 / 40", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("nearest centroid", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\d+\.\d % / 0\.\d{3}", result.Stdout);
    }
}
