using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>
/// A dataset held in a local folder: <c>vocab.txt</c>, optionally <c>labels.json</c>, and one folder per split with
/// <c>shard-*.bin</c> files (as <see cref="ShardSetWriter"/> writes them). For tests and offline runs.
/// </summary>
public sealed class LocalShardExampleSource : IExampleSource
{
    private readonly string folder;

    private LocalShardExampleSource(string folder, DatasetInfo info)
    {
        this.folder = folder;
        Info = info;
    }

    /// <inheritdoc />
    public DatasetInfo Info { get; }

    /// <summary>Reads the vocabulary and labels, and counts every split's examples (one pass over the shards).</summary>
    public static LocalShardExampleSource Open(string folder, string name = "local", string version = "local")
    {
        var vocabulary = File.ReadAllBytes(Path.Combine(folder, "vocab.txt"));
        var labelsFile = Path.Combine(folder, "labels.json");
        LabelSet? labels = null;
        if (File.Exists(labelsFile))
        {
            using var stream = File.OpenRead(labelsFile);
            labels = LabelSet.Read(stream);
        }

        var splits = new Dictionary<string, long>(StringComparer.Ordinal);
        long[]? trainCounts = labels is null ? null : new long[labels.Count];
        var maxSeqLen = 0;
        var vocabularySize = 0;
        foreach (var split in Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            long n = 0;
            foreach (var shard in Shards(folder, split))
            {
                using var reader = ShardReader.Open(File.OpenRead(shard));
                maxSeqLen = Math.Max(maxSeqLen, reader.Header.MaxSeqLen);
                vocabularySize = reader.Header.VocabularySize;
                foreach (var example in reader.ReadExamples())
                {
                    n++;
                    if (trainCounts is not null && split == DatasetInfo.Train && example.Label >= 0)
                    {
                        trainCounts[example.Label]++;
                    }
                }
            }

            splits[split] = n;
        }

        var info = new DatasetInfo(name, version, labels is not null, vocabulary, Convert.ToHexStringLower(SHA256.HashData(vocabulary)),
            vocabularySize, maxSeqLen, labels?.Labels, trainCounts, splits);
        return new LocalShardExampleSource(folder, info);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TrainingExample> ReadAsync(string split, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var shard in Shards(folder, split))
        {
            var stream = File.OpenRead(shard);
            using var reader = await ShardReader.OpenAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            await foreach (var example in reader.ReadExamplesAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return example;
            }
        }
    }

    private static IEnumerable<string> Shards(string folder, string split)
    {
        var directory = Path.Combine(folder, split);
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "shard-*.bin").Order(StringComparer.Ordinal) : [];
    }
}
