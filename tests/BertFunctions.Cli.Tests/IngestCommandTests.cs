using BertFunctions.Contracts.Storage;

namespace BertFunctions.Cli.Tests;

/// <summary><c>bertfn ingest</c> and <c>bertfn shards show</c> against a real Azurite started by the test.</summary>
public sealed class IngestCommandTests : IAsyncLifetime
{
    private AzuriteEmulator azurite = null!;
    private readonly string folder = Directory.CreateTempSubdirectory("bertfn-ingest-").FullName;

    public async ValueTask InitializeAsync() => azurite = await AzuriteEmulator.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await azurite.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private Task<CliRunner.Result> Run(params string[] args) => CliRunner.RunAsync("", [.. args, "--storage", azurite.ConnectionString]);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private void WriteReviews(int n)
    {
        for (var i = 0; i < n; i++)
        {
            var label = i % 2 == 0 ? "good" : "bad";
            Write($"{label}/{i:D3}.txt", $"Review {i}. The blender was {(label == "good" ? "excellent and quiet" : "loud and it broke")} after {i} days of use.");
        }
    }

    [Fact]
    public async Task Ingest_prints_the_version_counts_and_quarantine_and_a_second_run_is_a_no_op()
    {
        WriteReviews(30);
        Write("good/empty.txt", "");
        string[] args = ["ingest", folder, "--dataset", "reviews", "--labeled", "--label-from-folder"];

        var first = await Run(args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Matches(@"dataset reviews version [0-9a-f]{32}\n", first.Stdout);
        Assert.Contains("labels: bad 15, good 15", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("quarantine: 1 items (empty-file 1)", first.Stdout, StringComparison.Ordinal);
        var version = System.Text.RegularExpressions.Regex.Match(first.Stdout, "version ([0-9a-f]{32})").Groups[1].Value;

        var second = await Run(args);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains($"version {version} (unchanged inputs: existing version)", second.Stdout, StringComparison.Ordinal);

        var shown = await Run("shards", "show", "latest", "--dataset", "reviews", "--split", "train", "-n", "2");
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains($"dataset reviews version {version} (classification)", shown.Stdout, StringComparison.Ordinal);
        // Each example shows its label, and the label agrees with the review's words (the good ones say "excellent").
        var examples = System.Text.RegularExpressions.Regex.Matches(shown.Stdout, @"label=(good|bad)[^\n]*\n[^\n]*?(excellent|loud)");
        Assert.Equal(2, examples.Count);
        Assert.All(examples, m => Assert.Equal(m.Groups[1].Value == "good" ? "excellent" : "loud", m.Groups[2].Value));
        Assert.Contains("[CLS] review", shown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shards_show_marks_masked_positions_of_pretraining_examples()
    {
        for (var i = 0; i < 12; i++)
        {
            Write($"doc{i}.txt", string.Join("\n", Enumerable.Range(0, 20).Select(s => $"Sentence {s} of document {i} talks about the weather in the valley.")));
        }

        var ingest = await Run("ingest", folder, "--dataset", "notes", "--dupe-factor", "1");
        Assert.True(ingest.ExitCode == 0, ingest.Stderr);
        var shown = await Run("shards", "show", "latest", "--dataset", "notes", "-n", "1");
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("(pretraining)", shown.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\[MASK→[^\]]+\]", shown.Stdout);
    }

    [Fact]
    public async Task Ingest_then_fine_tune_the_bundled_minilm_then_classify_with_the_model_package()
    {
        WriteReviews(40);

        Assert.Equal(0, (await Run("ingest", folder, "--dataset", "reviews", "--labeled", "--label-from-folder")).ExitCode);
        var train = await Run("train", "--mode", "classify", "--dataset", "reviews", "--base", "minilm", "--max-steps", "6", "--batch-size", "8", "--eval-every", "3", "--learning-rate", "1e-4", "--output", "reviews/v1");
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("model package: models/reviews/v1/", train.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"test\.accuracy \d\.\d{4}", train.Stdout);

        // The same job again (a retry, a restarted host): it resumes from its final checkpoint and finds its own package.
        var again = await Run("train", "--mode", "classify", "--dataset", "reviews", "--base", "minilm", "--max-steps", "6", "--batch-size", "8", "--eval-every", "3", "--learning-rate", "1e-4", "--output", "reviews/v1");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("model package: models/reviews/v1/", again.Stdout, StringComparison.Ordinal);

        // Another job may not overwrite that version.
        var other = await Run("train", "--mode", "classify", "--dataset", "reviews", "--base", "minilm", "--max-steps", "2", "--batch-size", "8", "--job", "reviews-other", "--output", "reviews/v1");
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("already exists, written by another job", other.Stderr, StringComparison.Ordinal);

        var classify = await Run("classify", "--model", "reviews/v1", "The blender was excellent and quiet");
        Assert.True(classify.ExitCode == 0, classify.Stderr);
        var (label, probabilities) = CliRunner.ClassifiedRow(classify.Stdout, "The blender was excellent and quiet");
        Assert.Equal(2, probabilities.Length); // bad, good
        Assert.Equal(1.0, probabilities.Sum(), 3);
        Assert.Equal(probabilities[0] > probabilities[1] ? "bad" : "good", label); // the label is the likelier one
    }

    [Theory]
    [InlineData(new[] { "ingest", "x" }, 64, "--dataset is required")]
    [InlineData(new[] { "ingest", "/no/such/folder", "--dataset", "abc" }, 66, "source '/no/such/folder' not found")]
    [InlineData(new[] { "ingest", ".", "--dataset", "Bad_Name" }, 64, "invalid dataset name")]
    [InlineData(new[] { "ingest", ".", "--dataset", "abc", "--split", "0.5,0.5" }, 64, "--split '0.5,0.5' must be three fractions")]
    [InlineData(new[] { "ingest", ".", "--dataset", "abc", "--label-map", "spam" }, 64, "--label-map rule 'spam' must look like GLOB=LABEL")]
    [InlineData(new[] { "shards", "show", "0123", "--dataset", "abc" }, 66, "dataset 'abc' has no version '0123'")]
    [InlineData(new[] { "train", "--dataset", "abc" }, 66, "dataset 'abc' has no versions yet")]
    [InlineData(new[] { "train", "--dataset", "abc", "--version", "v1", "--mode", "regress" }, 64, "--mode 'regress' is not one of")]
    public async Task Bad_arguments_and_missing_data_are_one_line_errors(string[] args, int exitCode, string message)
    {
        var result = await Run(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_dataset_empty_after_cleaning_is_a_clear_error()
    {
        Write("a/one.txt", "   \n\t ");
        Write("b/two.txt", "");

        var result = await Run("ingest", folder, "--dataset", "void", "--labeled", "--label-from-folder");

        Assert.Equal(65, result.ExitCode);
        Assert.Contains("dataset 'void' is empty after cleaning", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_too_small_for_every_split_is_a_clear_error_that_names_it()
    {
        WriteReviews(20);
        Write("meh/one.txt", "Review 100. The blender was fine, I suppose.");
        Write("meh/two.txt", "Review 101. The blender was neither good nor bad.");

        var result = await Run("ingest", folder, "--dataset", "uneven", "--labeled", "--label-from-folder");

        Assert.Equal(65, result.ExitCode);
        Assert.Contains("dataset 'uneven': label 'meh' has 2 documents, after duplicates are removed; each label needs at least 3 (so that train, validation and test each get one): add examples, or merge or drop the label", result.Stderr, StringComparison.Ordinal);
    }
}
