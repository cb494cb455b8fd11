namespace BertFunctions.Cli.Tests;

/// <summary>
/// The commands people run, run as people run them: <c>bertfn demo</c> (a few steps) and then <c>bertfn compare</c>
/// (a tiny one) as processes on one fresh home, on the real Spam Assassin emails, through the local host, Azurite and
/// the trainer worker. (<c>serve</c> runs as a process in <see cref="StopTests"/> and <see cref="HomeTests"/>.)
/// </summary>
public sealed class CommandsTests
{
    [Fact]
    public async Task Demo_then_a_tiny_compare_on_the_same_home_run_to_their_end()
    {
        var home = Path.Combine(Path.GetTempPath(), "bertfn-commands-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        try
        {
            var demo = await ServeProcess.RunCliAsync(home, "demo", "--steps", "2", "--held-out", "1", "--timeout", "10");

            Assert.True(demo.ExitCode == 0, demo.Stderr);
            Assert.Matches(@"run spam-demo-finetune-[0-9a-f]{12}: promoted \(first model for this name", demo.Stdout + demo.Stderr);
            Assert.Matches(@"classified 2 emails it never saw through POST /api/classify \(spam-demo spam-demo-finetune-[0-9a-f]{12}\): [0-2] of 2 right", demo.Stdout + demo.Stderr);

            // The same uploads: compare uploads nothing new and runs the baseline and 2-step fine-tunes at 20 labels.
            var compare = await ServeProcess.RunCliAsync(home, "compare", "--strategies", "finetune,baseline", "--budgets", "20", "--seeds", "1", "--steps", "2", "--timeout", "10");

            Assert.True(compare.ExitCode == 0, compare.Stderr);
            Assert.Matches(@"uploads: \d+ new of 6,038 emails", compare.Stderr);
            Assert.Contains("recommendation: 20 labels: ", compare.Stdout, StringComparison.Ordinal);
            var report = System.Text.RegularExpressions.Regex.Match(compare.Stderr, @"report: (?<page>\S+index\.html)").Groups["page"].Value;
            Assert.True(File.Exists(report), $"the report page '{report}' was saved:\n{compare.Stderr}");
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
