using BertFunctions.Datasets;
using BertFunctions.Training.Data;

namespace BertFunctions.Training.Tests;

/// <summary>A training split held in a list, for tests of logic above shard reading (order, batching, subsets).</summary>
internal sealed class MemoryExampleSource(IReadOnlyList<TrainingExample> train, bool classification = true) : IExampleSource
{
    public DatasetInfo Info { get; } = new("toy", "v1", classification, [], "", 10, 130, classification ? ["a", "b"] : [], classification ? [500, 500] : [],
        new Dictionary<string, long> { [DatasetInfo.Train] = train.Count });

    public IAsyncEnumerable<TrainingExample> ReadAsync(string split, CancellationToken cancellationToken) =>
        (split == DatasetInfo.Train ? train : []).ToAsyncEnumerable();
}
