using System.Globalization;
using System.Text.Json;
using BertFunctions.Modeling;

namespace BertFunctions.Cli.Tests;

public sealed class EmbedCommandTests
{
    private static float[][] Embeddings(CliRunner.Result result) => result.StdoutLines
        .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray())
        .ToArray();

    private static float Dot(float[] a, float[] b) => a.Zip(b).Sum(p => p.First * p.Second);

    private static string Lines(params string[] texts) => string.Concat(texts.Select(t => JsonSerializer.Serialize(new { text = t }) + "\n"));

    [Fact]
    public async Task Embeddings_are_unit_vectors_in_input_order_and_batching_does_not_change_them()
    {
        string[] texts =
        [
            "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced no evidence that any irregularities took place.",
            "Cheap pills!",
            "The jury further said in term-end presentments that the City Executive Committee deserves praise.",
        ];

        // Batched together they are sorted by length internally; one by one they are not.
        var together = Embeddings(await CliRunner.RunAsync(Lines(texts), "embed"));
        var alone = new List<float[]>();
        foreach (var text in texts)
        {
            alone.Add(Embeddings(await CliRunner.RunAsync(Lines(text), "embed", "--batch-size", "1")).Single());
        }

        Assert.Equal(3, together.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(384, together[i].Length);
            Assert.Equal(1.0, Math.Sqrt(Dot(together[i], together[i])), 4);
            var maxDiff = together[i].Zip(alone[i]).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(maxDiff < 1e-4, string.Create(CultureInfo.InvariantCulture, $"text {i}: batched vs alone differ by {maxDiff}"));
        }

        // The two jury sentences are closer to each other than to the spam.
        Assert.True(Dot(together[0], together[2]) > Dot(together[0], together[1]) + 0.1);
    }

    [Fact]
    public async Task Text_pairs_are_refused_by_embed()
    {
        var result = await CliRunner.RunAsync("{\"text\": \"a\", \"text_pair\": \"b\"}\n", "embed");

        Assert.Equal(65, result.ExitCode);
        Assert.StartsWith("bertfn: error: line 1: embed takes single texts", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_hf_directory_saved_by_the_library_is_a_model_the_cli_can_embed_with()
    {
        using var dir = new TempDirectory();
        var config = MiniLmPretrained.Config;
        using var model = MiniLmPretrained.LoadBertModel();
        HfModelDirectory.Save(dir.Path, config, model, MiniLmPretrained.ReadVocabulary());

        var fromDirectory = Embeddings(await CliRunner.RunAsync(Lines("a saved model"), "embed", "--model", dir.Path)).Single();
        var bundled = Embeddings(await CliRunner.RunAsync(Lines("a saved model"), "embed")).Single();

        Assert.Equal(bundled, fromDirectory);
    }

    [Fact]
    public async Task A_missing_model_directory_is_a_one_line_error()
    {
        var result = await CliRunner.RunAsync("", "embed", "--model", "/no/such/model");

        Assert.Equal(66, result.ExitCode);
        Assert.Equal("bertfn: error: model '/no/such/model' not found: give 'minilm' or the path of an HF model directory", result.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_directory_with_only_a_pickle_checkpoint_is_refused_with_the_reason()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "config.json"), MiniLmPretrained.Config.ToJson(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "vocab.txt"), MiniLmPretrained.ReadVocabulary(), TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, "pytorch_model.bin"), [0x80, 0x02], TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync(Lines("x"), "embed", "--model", dir.Path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pickle", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("safetensors", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData("config.json", "{ not json", "config.json")]
    [InlineData("config.json", "{\"hidden_act\": \"swishy\", \"hidden_size\": 384, \"num_attention_heads\": 12}", "hidden_act")]
    [InlineData("model.safetensors", "garbage", "model.safetensors")]
    public async Task Corrupt_model_files_are_named_in_the_error(string file, string content, string expected)
    {
        using var dir = new TempDirectory();
        using (var model = MiniLmPretrained.LoadBertModel())
        {
            HfModelDirectory.Save(dir.Path, MiniLmPretrained.Config, model, MiniLmPretrained.ReadVocabulary());
        }

        await File.WriteAllTextAsync(Path.Combine(dir.Path, file), content, TestContext.Current.CancellationToken);
        var result = await CliRunner.RunAsync(Lines("x"), "embed", "--model", dir.Path);

        Assert.Equal(65, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Stderr.TrimEnd('\n'));
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("bertfn-test-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
