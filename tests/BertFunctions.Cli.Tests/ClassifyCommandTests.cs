using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Export;
using BertFunctions.Modeling;
using TorchSharp;

namespace BertFunctions.Cli.Tests;

public sealed class ClassifyCommandTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("bertfn-classify-").FullName;
    private AzuriteEmulator azurite = null!;
    private BertConfig config = null!;
    private BertForSequenceClassification model = null!;

    public async ValueTask InitializeAsync()
    {
        azurite = await AzuriteEmulator.StartAsync();

        // A classifier on the real MiniLM encoder with a seeded random head: the CLI's job is loading and running it.
        torch.manual_seed(11);
        config = MiniLmPretrained.Config with
        {
            Architectures = ["BertForSequenceClassification"],
            NumLabels = 2,
            Id2Label = new Dictionary<string, string> { ["0"] = "ham", ["1"] = "spam" },
            Label2Id = new Dictionary<string, int> { ["ham"] = 0, ["spam"] = 1 },
        };
        model = new BertForSequenceClassification(config);
        StrictLoader.Load(model.Bert, MiniLmPretrained.ReadStateDict(), "minilm");
        model.eval();
        HfModelDirectory.Save(folder, config, model, MiniLmPretrained.ReadVocabulary());
    }

    public async ValueTask DisposeAsync()
    {
        model.Dispose();
        await azurite.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private static float[] Probabilities(JsonElement line) =>
        [line.GetProperty("probabilities").GetProperty("ham").GetSingle(), line.GetProperty("probabilities").GetProperty("spam").GetSingle()];

    [Fact]
    public async Task Json_lines_get_a_label_and_probabilities_that_match_the_model()
    {
        var result = await CliRunner.RunAsync("{\"text\": \"Win a free cruise now\"}\n{\"text\": \"Meeting moved to 3pm\"}\n", "classify", "--model", folder);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            var p = Probabilities(line);
            Assert.Equal(1.0, p[0] + p[1], 5);
            Assert.Equal(p[0] >= p[1] ? "ham" : "spam", line.GetProperty("label").GetString());
        }

        // The same numbers as the model run directly.
        using var tokenizerVocab = MiniLmPretrained.OpenVocabulary();
        var tokenizer = BertFunctions.Tokenization.BertWordPieceTokenizer.FromVocab(tokenizerVocab);
        var ids = tokenizer.Encode("Win a free cruise now", null, 128).InputIds.Select(i => (long)i).ToArray();
        using var noGrad = torch.no_grad();
        var expected = model.forward(torch.tensor(ids, [1, ids.Length])).Logits.softmax(-1).squeeze(0).data<float>().ToArray();
        Assert.Equal(expected[1], Probabilities(lines[0])[1], 5);
    }

    [Fact]
    public async Task A_model_package_in_blob_storage_is_downloaded_verified_and_used()
    {
        var ct = TestContext.Current.CancellationToken;
        await new ModelPackageWriter(new BlobServiceClient(azurite.ConnectionString)).WriteAsync(
            new ModelPackageContent("spam", "v1", model, config, MiniLmPretrained.ReadVocabulary(), "{}", "{}"), ct);
        Environment.SetEnvironmentVariable("BERTFN_HOME", Path.Combine(folder, "home"));

        var result = await CliRunner.RunAsync("", "classify", "--model", "spam/v1", "--storage", azurite.ConnectionString, "Win a free cruise now");

        Assert.True(result.ExitCode == 0, result.Stderr);
        // The package holds the same weights as the directory model: the same answer, to the table's 4 decimals.
        var direct = JsonDocument.Parse((await CliRunner.RunAsync("{\"text\": \"Win a free cruise now\"}\n", "classify", "--model", folder)).StdoutLines.Single()).RootElement;
        var (label, probabilities) = CliRunner.ClassifiedRow(result.Stdout, "Win a free cruise now");
        Assert.Equal(direct.GetProperty("label").GetString(), label);
        Assert.Equal(Probabilities(direct).Select(p => Math.Round(p, 4)), probabilities.Select(p => Math.Round(p, 4)));
    }

    [Fact]
    public async Task An_encoder_that_is_not_a_classifier_and_a_missing_package_are_clear_errors()
    {
        var encoderDir = Path.Combine(folder, "encoder");
        using (var encoder = MiniLmPretrained.LoadBertModel())
        {
            HfModelDirectory.Save(encoderDir, MiniLmPretrained.Config, encoder, MiniLmPretrained.ReadVocabulary());
        }

        var notClassifier = await CliRunner.RunAsync("", "classify", "--model", encoderDir, "text");
        Assert.Equal(65, notClassifier.ExitCode);
        Assert.Contains("not a sequence classifier", notClassifier.Stderr, StringComparison.Ordinal);

        var missing = await CliRunner.RunAsync("", "classify", "--model", "nope/v9", "--storage", azurite.ConnectionString, "text");
        Assert.Equal(66, missing.ExitCode);
        Assert.Contains("model package 'nope/v9' not found", missing.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url", 64, "--endpoint must be an absolute URL")]
    [InlineData("http://127.0.0.1:1", 69, "cannot reach http://127.0.0.1:1/")]
    public async Task An_unusable_endpoint_is_one_line_with_an_exit_code(string endpoint, int code, string message)
    {
        var result = await CliRunner.RunAsync("", "classify", "--endpoint", endpoint, "some text");

        Assert.Equal(code, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
