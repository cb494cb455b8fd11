using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BertFunctions.Corpora;

namespace BertFunctions.Cli.Tests;

/// <summary>
/// <c>bertfn upload</c> as a team with its own data uses it: a multi-class CSV with extra columns, uploaded beside a
/// running <c>bertfn serve</c>, followed to a promoted model that answers <c>POST /api/classify</c> with its top k
/// labels; uploaded again, it starts nothing new. Real parts throughout: serve's Azurite, its pipeline on the
/// Durable engine, the trainer fine-tuning the bundled MiniLM on passages of the Brown corpus.
/// </summary>
public sealed partial class UploadCommandTests
{
    private static readonly string[] Genres = ["press-reportage", "religion", "learned", "romance"];
    private static readonly string[] ReligiousText = ["The minister preached on faith and the grace of God."];

    [Fact]
    public async Task A_multi_class_csv_is_followed_to_a_promoted_model_that_classifies_with_top_k_and_a_second_upload_starts_no_run()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var serve = await ServeProcess.StartAsync();
        var csv = Path.Combine(serve.Home, "genres.csv");
        await File.WriteAllTextAsync(csv, GenresCsv(perGenre: 24), ct);

        var first = await ServeProcess.RunCliAsync(serve.Home, "upload", csv, "--dataset", "genres", "--steps", "4");

        Assert.True(first.ExitCode == 0, first.Stderr);
        var runId = RunLine().Match(first.Stdout).Groups[1].Value;
        Assert.StartsWith("genres-finetune-", runId, StringComparison.Ordinal);
        Assert.Contains($"'bertfn serve' (pid {serve.Pid}", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("uploaded 1 new or changed files", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"run {runId}: promoted", first.Stdout, StringComparison.Ordinal); // followed to its end
        Assert.Contains("test.macro_f1", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("fine-tuning step 4/4", first.Stderr, StringComparison.Ordinal); // progress as it went

        // The served model knows the four labels (not the extra columns' values) and returns the top k of them.
        var host = new Uri(Regex.Match(serve.Stderr, @"local host on (http://127\.0\.0\.1:\d+/)").Groups[1].Value);
        using var http = new HttpClient { BaseAddress = host };
        using var response = await http.PostAsJsonAsync(new Uri("api/classify", UriKind.Relative), new { model = "genres", texts = ReligiousText, top_k = 2 }, ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(runId, body.GetProperty("version").GetString());
        var probabilities = body.GetProperty("results")[0].GetProperty("probabilities").EnumerateObject().ToList();
        Assert.Equal(2, probabilities.Count);
        Assert.All(probabilities, p => Assert.Contains(p.Name, Genres));
        Assert.True(probabilities[0].Value.GetDouble() >= probabilities[1].Value.GetDouble());

        // The same file again: nothing uploaded, the same run, which is done; no second run starts.
        var second = await ServeProcess.RunCliAsync(serve.Home, "upload", csv, "--dataset", "genres", "--steps", "4");

        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("nothing changed: 0 new or changed files", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("no second run starts", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(runId, RunLine().Match(second.Stdout).Groups[1].Value);
        await Task.Delay(TimeSpan.FromSeconds(3), ct); // time for a (wrongly) started run to show up
        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri("api/runs", UriKind.Relative));
        list.Headers.Accept.ParseAdd("application/json");
        using var listed = await http.SendAsync(list, ct);
        var runs = await listed.Content.ReadFromJsonAsync<JsonElement>(ct);
        var ofDataset = runs.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("dataset").GetString() == "genres").Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal([runId], ofDataset);
    }

    [Fact]
    public async Task A_missing_path_is_a_one_line_error_and_starts_nothing()
    {
        var result = await CliRunner.RunAsync("", "upload", "/nonexistent/data.csv", "--dataset", "genres");

        Assert.Equal(66, result.ExitCode);
        Assert.Equal("bertfn: error: '/nonexistent/data.csv' not found", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("""{"fine_tuning": {"max_stepz": 10}}""", "max_stepz")]
    [InlineData("""{"strategy": "bogus"}""", "strategy")]
    [InlineData("""{"dataset": "other-data"}""", "names dataset 'other-data', but --dataset is 'genres'")]
    public async Task Bad_settings_are_a_one_line_error_before_anything_is_uploaded(string json, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("bertfn-upload-");
        try
        {
            var settings = Path.Combine(folder.FullName, "settings.json");
            await File.WriteAllTextAsync(settings, json, TestContext.Current.CancellationToken);
            var csv = Path.Combine(folder.FullName, "data.csv");
            await File.WriteAllTextAsync(csv, "text,label\nhello,a\n", TestContext.Current.CancellationToken);

            var result = await CliRunner.RunAsync("", "upload", csv, "--dataset", "genres", "--settings", settings);

            Assert.NotEqual(0, result.ExitCode);
            var lines = result.Stderr.Trim().Split('\n');
            Assert.Single(lines);
            Assert.Contains(expected, lines[0], StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(folder.FullName, "azurite"))); // nothing was started
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--raw", "--label-field", "y")]
    [InlineData("--labeled", "--raw", "")]
    [InlineData("--label-from-folder", "--label-field", "y")]
    public async Task Contradictory_options_are_usage_errors(string a, string b, string c)
    {
        string[] args = c.Length > 0 ? ["upload", ".", "--dataset", "genres", a, b, c] : ["upload", ".", "--dataset", "genres", a, b];

        var result = await CliRunner.RunAsync("", args);

        Assert.Equal(64, result.ExitCode);
    }

    /// <summary>Passages of about 60 words from the Brown corpus texts of four genres, with two extra columns.</summary>
    internal static string GenresCsv(int perGenre)
    {
        var letters = new Dictionary<char, string> { ['a'] = Genres[0], ['d'] = Genres[1], ['j'] = Genres[2], ['p'] = Genres[3] };
        var csv = new StringBuilder("id,source,text,label,year\n");
        foreach (var group in BrownCorpus.ReadAll(CorpusLocator.Brown()).Where(d => letters.ContainsKey(d.Name[1])).GroupBy(d => d.Name[1]))
        {
            var passages = group.SelectMany(d => Passages(d.Text).Select(p => (d.Name, Text: p))).Take(perGenre);
            var n = 0;
            foreach (var (name, text) in passages)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{name}-{++n},{name},\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{letters[group.Key]},1961\n");
            }
        }

        return csv.ToString();
    }

    private static IEnumerable<string> Passages(string text)
    {
        var words = text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 60 <= words.Length; i += 60)
        {
            yield return string.Join(' ', words[i..(i + 60)]);
        }
    }

    [GeneratedRegex(@"^run ([a-z0-9-]+)$", RegexOptions.Multiline)]
    private static partial Regex RunLine();
}
