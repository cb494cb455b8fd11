namespace BertFunctions.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task The_demo_runs_end_to_end_on_real_emails_and_reports_held_out_scores()
    {
        var result = await CliRunner.RunAsync("", "demo", "--per-label", "30", "--max-length", "64");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("emails (train / test)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("nearest centroid: accuracy / macro-F1", result.Stdout, StringComparison.Ordinal);
        // 60 emails split by hash; both splits non-empty, sizes add up.
        var split = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"(\d+) / (\d+)");
        Assert.Equal(60, int.Parse(split.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + int.Parse(split.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
