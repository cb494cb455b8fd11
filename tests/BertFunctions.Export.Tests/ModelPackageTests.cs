using System.Text.Json.Nodes;
using BertFunctions.Contracts.Packages;
using BertFunctions.Modeling;
using Onnx;

namespace BertFunctions.Export.Tests;

/// <summary>Model packages written to and read back from a real Azurite.</summary>
public sealed class ModelPackageTests(AzuriteStorage storage, ITestOutputHelper output) : IClassFixture<AzuriteStorage>, IDisposable
{
    private const string Metrics = """{"accuracy": 0.91, "macro_f1": 0.88, "eval": {"loss": 0.27, "examples": 500}, "confusion": [[1, 2], [3, 4]], "note": "test"}""";
    private const string Job = """{"job_id": "job-42", "dataset": "spam", "epochs": 3}""";

    private readonly BertForSequenceClassification model = Classifiers.Tiny(seed: 11);
    private readonly DirectoryInfo downloads = Directory.CreateTempSubdirectory("export-tests-");

    private ModelPackageContent Content(string version) => new("spam-filter", version, model, Classifiers.TinyConfig, MiniLmPretrained.ReadVocabulary(), Metrics, Job);

    [Fact]
    public async Task A_written_package_reads_back_runs_in_onnx_runtime_and_loads_as_hf_with_identical_logits()
    {
        var ct = TestContext.Current.CancellationToken;
        var written = await new ModelPackageWriter(storage.Service).WriteAsync(Content("v1"), ct);
        var package = await new ModelPackageReader(storage.Service).OpenAsync("spam-filter", "v1", downloads.FullName, ct);

        Assert.Equal(written, package.Manifest with { }, ManifestComparer.Instance);
        Assert.Equal(["ham", "spam", "other"], package.Manifest.Labels);
        Assert.Equal(new Dictionary<string, double> { ["accuracy"] = 0.91, ["eval.examples"] = 500, ["eval.loss"] = 0.27, ["macro_f1"] = 0.88 }, package.Manifest.Metrics);
        Assert.Equal(("model.onnx", 20, 9L), (package.Manifest.Onnx.File, package.Manifest.Onnx.Opset, package.Manifest.Onnx.IrVersion));
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], package.Manifest.Onnx.Inputs);
        Assert.Equal(["logits"], package.Manifest.Onnx.Outputs);
        foreach (var file in package.Manifest.Files)
        {
            Assert.Equal(new FileInfo(Path.Combine(package.Folder, file.Path)).Length, file.Size);
        }

        Assert.Equal(Job, File.ReadAllText(package.JobPath));
        Assert.Equal(Metrics, File.ReadAllText(package.MetricsPath));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(package.HfDirectory, "config.json")))!;
        Assert.Equal("BertForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("other", config["id2label"]!["2"]!.GetValue<string>());
        Assert.Equal(1, config["label2id"]!["spam"]!.GetValue<int>());
        var onnxMetadata = ModelProto.Parser.ParseFrom(File.ReadAllBytes(package.OnnxPath)).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(package.Manifest.VocabularySha256, onnxMetadata["vocab_sha256"]);
        Assert.Equal(FileHashes.Of(File.ReadAllBytes(Path.Combine(package.Folder, "vocab.txt"))), package.Manifest.VocabularySha256);

        var batch = Batch.Pad([new([101, 2023, 2003, 1037, 3231, 102], [0, 0, 0, 0, 0, 0]), new([101, 7592, 102, 2088, 102], [0, 0, 0, 1, 1])]);
        var original = batch.TorchLogits(model);
        using var loaded = HfModelDirectory.Open(package.HfDirectory).LoadForSequenceClassification();
        Assert.Equal(original, batch.TorchLogits(loaded)); // same weights, same code: bit for bit
        using var onnx = new OnnxRunner(package.OnnxPath);
        var diff = original.Zip(onnx.Logits(batch), (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"package files: {string.Join(", ", package.Manifest.Files.Select(f => $"{f.Path} {f.Size:N0} B"))}; ORT vs TorchSharp {diff:E2}");
        Assert.True(diff <= 1e-4, $"{diff:E2}");
    }

    [Fact]
    public async Task The_manifest_is_uploaded_last_and_a_version_is_written_only_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = new ModelPackageWriter(storage.Service);
        await writer.WriteAsync(Content("v2"), ct);

        var puts = storage.Writes.PutsUnder("/models/spam-filter/v2/");
        Assert.Equal([.. ModelPackageLayout.RequiredFiles, "package.json"], puts);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(Content("v2"), ct));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(puts.Count, storage.Writes.PutsUnder("/models/spam-filter/v2/").Count); // nothing overwritten
    }

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("model.safetensors")]
    [InlineData("metrics.json")]
    public async Task A_file_changed_after_writing_is_detected_by_name(string file)
    {
        var ct = TestContext.Current.CancellationToken;
        var version = "tamper-" + file.Replace('.', '-');
        await new ModelPackageWriter(storage.Service).WriteAsync(Content(version), ct);
        var blob = storage.Service.GetBlobContainerClient("models").GetBlobClient($"spam-filter/{version}/{file}");
        var bytes = (await blob.DownloadContentAsync(ct)).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01; // one bit: same size, different hash
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, ct);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new ModelPackageReader(storage.Service).OpenAsync("spam-filter", version, downloads.FullName, ct));
        output.WriteLine(e.Message);
        Assert.Contains($"spam-filter/{version}/{file}", e.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(downloads.FullName, file)), "an unverified file must not be left under its real name");
    }

    [Fact]
    public async Task Files_without_a_manifest_are_no_package()
    {
        var ct = TestContext.Current.CancellationToken;
        var container = storage.Service.GetBlobContainerClient("models");
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        await container.UploadBlobAsync("spam-filter/half-written/model.onnx", BinaryData.FromString("partial"), ct);

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => new ModelPackageReader(storage.Service).OpenAsync("spam-filter", "half-written", downloads.FullName, ct));
        Assert.Contains("package.json", e.Message, StringComparison.Ordinal);

        // A writer finishing the version replaces the leftover.
        await new ModelPackageWriter(storage.Service).WriteAsync(Content("half-written"), ct);
        var package = await new ModelPackageReader(storage.Service).OpenAsync("spam-filter", "half-written", downloads.FullName, ct);
        Assert.True(new FileInfo(package.OnnxPath).Length > 1000);
    }

    [Theory]
    [InlineData("Spam_Filter", "v1", "model name")]
    [InlineData("spam-filter", "v1/../v2", "version")]
    public async Task Invalid_names_are_refused_before_anything_is_written(string name, string version, string expected)
    {
        var content = Content("v1") with { Name = name, Version = version };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new ModelPackageWriter(storage.Service).WriteAsync(content, TestContext.Current.CancellationToken));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_that_are_not_a_json_object_are_refused()
    {
        var content = Content("bad-metrics") with { MetricsJson = "[0.9]" };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new ModelPackageWriter(storage.Service).WriteAsync(content, TestContext.Current.CancellationToken));
        Assert.Contains("MetricsJson must be a JSON object", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        model.Dispose();
        downloads.Delete(recursive: true);
    }

    /// <summary>Manifests compared by their JSON (records with list members compare lists by reference).</summary>
    private sealed class ManifestComparer : IEqualityComparer<ModelPackageManifest>
    {
        public static readonly ManifestComparer Instance = new();

        public bool Equals(ModelPackageManifest? x, ModelPackageManifest? y) => x?.ToJson() == y?.ToJson();

        public int GetHashCode(ModelPackageManifest obj) => obj.ToJson().GetHashCode(StringComparison.Ordinal);
    }
}
