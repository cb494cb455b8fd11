using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BertFunctions.Cli.Tests;

/// <summary>
/// The README's "Train on your own data" runs as written, so that it cannot drift from what the commands do: its
/// second-terminal block, beside <c>bertfn serve</c> (the first terminal), in a fresh folder. Two substitutions only,
/// both about this machine rather than the commands: <c>./bertfn</c> is the CLI this test run built (the wrapper
/// would build its own copy), and <c>localhost:7071</c> is the port serve got (tests run side by side).
/// </summary>
public sealed partial class ReadmeTests
{
    private static readonly string[] Genres =
        ["press-reportage", "press-editorial", "press-reviews", "religion", "skills-hobbies", "popular-lore", "belles-lettres", "government",
         "learned", "general-fiction", "mystery", "science-fiction", "adventure", "romance", "humor"];

    [Fact]
    public async Task Train_on_your_own_data_runs_as_written()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = RepositoryRoot();
        var block = OwnDataBlock().Match(await File.ReadAllTextAsync(Path.Combine(root, "README.md"), ct));
        Assert.True(block.Success, "README.md has no <!-- readme-own-data --> block with a bash code block");
        var script = block.Groups["script"].Value;
        Assert.Contains("./bertfn upload", script, StringComparison.Ordinal);
        Assert.Contains("localhost:7071/api/classify", script, StringComparison.Ordinal);

        await using var serve = await ServeProcess.StartAsync();
        var port = Regex.Match(serve.Stderr, @"local host on http://127\.0\.0\.1:(\d+)/").Groups[1].Value;
        var folder = Directory.CreateTempSubdirectory("bertfn-readme-");
        try
        {
            File.CreateSymbolicLink(Path.Combine(folder.FullName, "samples"), Path.Combine(root, "samples"));
            var prelude = $"bertfn() {{ dotnet '{Path.Combine(AppContext.BaseDirectory, "bertfn.dll")}' \"$@\"; }}\n";
            var asWritten = script.Replace("./bertfn ", "bertfn ", StringComparison.Ordinal).Replace("localhost:7071", $"127.0.0.1:{port}", StringComparison.Ordinal);
            var (exit, stdout, stderr) = await BashAsync(prelude + asWritten, folder.FullName, serve.Home, TimeSpan.FromMinutes(40), ct);

            Assert.True(exit == 0, $"exit {exit}\n{stderr}\n{stdout}");
            Assert.Matches(@"run genres-finetune-[0-9a-f]{12}: promoted", stdout);
            Assert.Matches(@"dataset genres version \S+: [\d,]+ documents .*15 labels", stdout);
            // The last line is curl's answer: the top 3 of the 15 genres, most probable first.
            var answer = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
            var top = answer.GetProperty("results")[0].GetProperty("probabilities").EnumerateObject().ToList();
            Assert.Equal(3, top.Count);
            Assert.All(top, p => Assert.Contains(p.Name, Genres));
            Assert.True(top[0].Value.GetDouble() >= top[1].Value.GetDouble() && top[1].Value.GetDouble() >= top[2].Value.GetDouble());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> BashAsync(string script, string workingDirectory, string home, TimeSpan limit, CancellationToken ct)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add("-euo");
        info.ArgumentList.Add("pipefail");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["BERTFN_HOME"] = home;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BertFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("BertFunctions.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"<!-- readme-own-data -->\s*```bash\n(?<script>.*?)```\s*<!-- /readme-own-data -->", RegexOptions.Singleline)]
    private static partial Regex OwnDataBlock();
}
