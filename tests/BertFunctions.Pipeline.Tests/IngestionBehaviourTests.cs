using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;
using Parquet;
using Parquet.Schema;

namespace BertFunctions.Pipeline.Tests;

public sealed class IngestionBehaviourTests
{
    private static IngestionRequest Labeled(string dataset) => new()
    {
        Dataset = dataset,
        Kind = DatasetKind.Classification,
        Reading = new IngestionOptions { Labeled = true },
    };

    private static string Jsonl(IEnumerable<(string Text, string Label)> rows) =>
        string.Concat(rows.Select(r => JsonSerializer.Serialize(new { text = r.Text, label = r.Label }) + "\n"));

    private static IEnumerable<(string, string)> Reviews(int n) =>
        Enumerable.Range(0, n).Select(i => ($"review number {i}: the product was {(i % 2 == 0 ? "great, I loved it" : "terrible, it broke")} after {i} days", i % 2 == 0 ? "positive" : "negative"));

    [Fact]
    public async Task Bad_inputs_are_quarantined_with_reasons_and_the_rest_is_ingested()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        await azurite.UploadAsync("labeled/mixed/good.jsonl", Jsonl(Reviews(40)));
        await azurite.UploadAsync("labeled/mixed/bad-rows.jsonl", "{\"text\": \"fine text\", \"label\": \"positive\"}\n{not json\n{\"text\": \"no label\"}\n{\"text\": \"odd label\", \"label\": \"maybe\"}\n");
        await azurite.UploadAsync("labeled/mixed/empty.jsonl", []);
        await azurite.UploadAsync("labeled/mixed/binary.jsonl", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);

        var request = Labeled("mixed") with { Reading = new IngestionOptions { Labeled = true, AllowedLabels = ["positive", "negative"] } };
        var result = await azurite.Runner().RunAsync(request, null, ct);
        var m = result.Manifest;

        Assert.Equal(41, m.Counts.Documents);
        Assert.Equal(["negative", "positive"], m.Labels);
        Assert.Equal(1, m.Quarantine.ByReason[QuarantineReasons.EmptyFile]);
        Assert.Equal(1, m.Quarantine.ByReason[QuarantineReasons.BinaryFile]);
        Assert.Equal(1, m.Quarantine.ByReason[QuarantineReasons.MalformedRow]);
        Assert.Equal(1, m.Quarantine.ByReason[QuarantineReasons.MissingLabel]);
        Assert.Equal(1, m.Quarantine.ByReason[QuarantineReasons.UnknownLabel]);

        // The report lists every item with its source and reason; rejected files are copied to quarantine.
        var report = (await azurite.Datasets.GetBlobClient(m.Quarantine.Report).DownloadContentAsync(ct)).Value.Content.ToString();
        var entries = report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(m.Quarantine.Items, entries.Count);
        Assert.Contains(entries, e => e.GetProperty("source").GetString() == "labeled/mixed/binary.jsonl" && e.GetProperty("reason").GetString() == QuarantineReasons.BinaryFile);
        var copies = await azurite.ListAsync(StorageLayout.QuarantineContainer, "mixed/");
        Assert.Contains(copies, c => c.EndsWith("/files/binary.jsonl", StringComparison.Ordinal));

        // Uploads are never touched.
        Assert.Equal(4, (await azurite.ListAsync(StorageLayout.UploadsContainer)).Count);
    }

    [Fact]
    public async Task A_dataset_empty_after_cleaning_fails_with_a_clear_message()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        await azurite.UploadAsync("labeled/void/a.jsonl", "{\"text\": \"   \", \"label\": \"x\"}\n");
        await azurite.UploadAsync("labeled/void/b.jsonl", []);

        var e = await Assert.ThrowsAsync<IngestionException>(() => azurite.Runner().RunAsync(Labeled("void"), null, ct));
        Assert.Contains("dataset 'void' is empty after cleaning", e.Message, StringComparison.Ordinal);
        Assert.Contains("empty-file 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_inputs_fails_with_a_clear_message()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var e = await Assert.ThrowsAsync<IngestionException>(() => azurite.Runner().RunAsync(Labeled("nothing"), null, ct));
        Assert.Contains("has no input files under uploads/labeled/nothing/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_inputs_give_the_same_version_and_byte_identical_shards_anywhere()
    {
        var ct = TestContext.Current.CancellationToken;
        var brown = BrownCorpus.ReadAll(CorpusLocator.Brown()).Take(60).ToList();
        var request = new IngestionRequest { Dataset = "brown", Kind = DatasetKind.Pretraining, Pretraining = new PretrainingOptions { DupeFactor = 2 } };
        var shardBytes = new List<Dictionary<string, byte[]>>();
        string? version = null;
        for (var run = 0; run < 2; run++)
        {
            await using var azurite = new AzuriteFixture();
            await azurite.InitializeAsync();
            foreach (var document in brown)
            {
                await azurite.UploadAsync($"raw/brown/{document.Name}.txt", document.Text);
            }

            var result = await azurite.Runner().RunAsync(request, null, ct);
            version ??= result.Version;
            Assert.Equal(version, result.Version);
            var bytes = new Dictionary<string, byte[]>();
            foreach (var shard in result.Manifest.Splits.Values.SelectMany(s => s.Shards))
            {
                bytes[shard] = (await azurite.Datasets.GetBlobClient(shard).DownloadContentAsync(ct)).Value.Content.ToArray();
            }

            shardBytes.Add(bytes);
        }

        Assert.Equal(shardBytes[0].Keys.Order(), shardBytes[1].Keys.Order());
        foreach (var (name, bytes) in shardBytes[0])
        {
            Assert.True(bytes.AsSpan().SequenceEqual(shardBytes[1][name]), $"{name} differs between runs");
        }
    }

    [Fact]
    public async Task Pretraining_shards_hold_packed_masked_sequences()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        foreach (var document in BrownCorpus.ReadAll(CorpusLocator.Brown()).Take(20))
        {
            await azurite.UploadAsync($"raw/brown/{document.Name}.txt", document.Text);
        }

        var result = await azurite.Runner().RunAsync(new IngestionRequest { Dataset = "brown", Kind = DatasetKind.Pretraining, Pretraining = new PretrainingOptions { DupeFactor = 1 } }, null, ct);
        var shard = result.Manifest.Splits[Splits.Train].Shards[0];
        await using var stream = await azurite.Datasets.GetBlobClient(shard).OpenReadAsync(cancellationToken: ct);
        using var reader = ShardReader.Open(stream);
        Assert.Equal(ShardKind.Pretraining, reader.Header.Kind);
        var examples = reader.ReadExamples().ToList();
        Assert.All(examples, e =>
        {
            Assert.Equal(101, e.InputIds[0]);
            Assert.Equal(102, e.InputIds[^1]);
            Assert.NotEmpty(e.MaskedPositions);
        });
        Assert.True(examples.Average(e => e.InputIds.Length) > 100, "packing fills sequences");
    }

    [Fact]
    public async Task A_large_jsonl_file_split_into_byte_ranges_gives_the_same_dataset()
    {
        var ct = TestContext.Current.CancellationToken;
        var rows = Jsonl(Reviews(30_000));
        Assert.True(Encoding.UTF8.GetByteCount(rows) > 2 * 1024 * 1024);
        var versions = new List<(string Version, int Documents, int Units)>();
        foreach (var unitBytes in new long[] { 64L * 1024 * 1024, 1024 * 1024 })
        {
            await using var azurite = new AzuriteFixture();
            await azurite.InitializeAsync();
            await azurite.UploadAsync("labeled/big/rows.jsonl", rows);
            var request = Labeled("big") with { WorkUnitBytes = unitBytes };
            await azurite.Steps().EnsureContainersAsync(ct);
            var plan = await azurite.Steps().PlanAsync(request, await azurite.Steps().LoadVocabularyAsync(request, ct), "r1", ct);
            var result = await azurite.Runner().RunAsync(request, null, ct);
            versions.Add((result.Version, result.Manifest.Counts.Documents, plan.Units.Count));
        }

        Assert.Equal(1, versions[0].Units);
        Assert.True(versions[1].Units >= 2);
        Assert.Equal(versions[0].Version, versions[1].Version);
        Assert.Equal(30_000, versions[0].Documents);
        Assert.Equal(30_000, versions[1].Documents);
    }

    [Fact]
    public async Task Gzip_inputs_are_read_like_their_content()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(Jsonl(Reviews(30))), ct);
        }

        await azurite.UploadAsync("labeled/gz/rows.jsonl.gz", compressed.ToArray());
        var result = await azurite.Runner().RunAsync(Labeled("gz"), null, ct);
        Assert.Equal(30, result.Manifest.Counts.Documents);
    }

    [Fact]
    public async Task Parquet_uploads_are_ingested_row_group_by_row_group_and_a_file_without_the_text_column_is_copied_to_quarantine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var reviews = Reviews(30).ToList();
        await azurite.UploadAsync("labeled/pq/train-00000-of-00001.parquet", await ParquetAsync(["id", "text", "label"], [.. reviews.Chunk(10).Select(g => g.Select((r, i) => new[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Item1, r.Item2 }).ToArray())]));
        await azurite.UploadAsync("labeled/pq/wrong-columns.parquet", await ParquetAsync(["body", "label"], [[["some text", "positive"]]]));

        var result = await azurite.Runner().RunAsync(Labeled("pq"), null, ct);
        var m = result.Manifest;

        Assert.Equal(30, m.Counts.Documents);
        Assert.Equal(["negative", "positive"], m.Labels);
        Assert.Equal(1, m.Quarantine.ByReason[QuarantineReasons.MalformedRow]);
        var copies = await azurite.ListAsync(StorageLayout.QuarantineContainer, "pq/");
        Assert.Contains(copies, c => c.EndsWith("/files/wrong-columns.parquet", StringComparison.Ordinal));

        // The same rows as JSON Lines make the same dataset: same documents, labels and split.
        await azurite.UploadAsync("labeled/pq-jsonl/rows.jsonl", Jsonl(reviews));
        var jsonl = (await azurite.Runner().RunAsync(Labeled("pq-jsonl"), null, ct)).Manifest;
        Assert.Equal(jsonl.Counts.DocumentsByLabel, m.Counts.DocumentsByLabel);
        Assert.Equal(jsonl.Splits.ToDictionary(s => s.Key, s => s.Value.Documents), m.Splits.ToDictionary(s => s.Key, s => s.Value.Documents));
    }

    /// <summary>A Parquet file of string columns, one row group per element of <paramref name="groups"/> (rows of cells).</summary>
    private static async Task<byte[]> ParquetAsync(string[] columns, string[][][] groups)
    {
        var fields = columns.Select(c => new DataField<string>(c, true)).ToArray();
        var output = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), output, cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var rows in groups)
            {
                using var group = writer.CreateRowGroup();
                for (var c = 0; c < fields.Length; c++)
                {
                    await group.WriteAsync(fields[c], rows.Select(r => r[c]).ToArray());
                }
            }
        }

        return output.ToArray();
    }
}
