namespace BertFunctions.Cli.Tests;

public sealed class HelpTests
{
    [Theory]
    [InlineData("tokenize", "--max-length")]
    [InlineData("embed", "--batch-size")]
    [InlineData("zero-shot", "--per-label")]
    public async Task Every_command_has_help_on_stdout(string command, string option)
    {
        var result = await CliRunner.RunAsync("", command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("USAGE:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(option, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--model", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_root_help_lists_the_commands()
    {
        var result = await CliRunner.RunAsync("", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "tokenize", "embed", "zero-shot", "demo", "serve" })
        {
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
        }
    }
}
