using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;

namespace BertFunctions.Training.Data;

/// <summary>One dataset version: its description and a way to stream a split's examples in stored order.</summary>
public interface IExampleSource
{
    /// <summary>Vocabulary, labels and sizes.</summary>
    DatasetInfo Info { get; }

    /// <summary>Every example of <paramref name="split"/> in stored (shard) order; may be called any number of times.</summary>
    IAsyncEnumerable<TrainingExample> ReadAsync(string split, CancellationToken cancellationToken);

    /// <summary>
    /// The examples of <paramref name="split"/> that evaluation reads: for masked-LM data only the first of the stored
    /// masking copies (the others mask the same sequences again and would multiply the cost, not the information);
    /// everything otherwise, and wherever the copies cannot be told apart.
    /// </summary>
    IAsyncEnumerable<TrainingExample> ReadFirstCopyAsync(string split, CancellationToken cancellationToken) => ReadAsync(split, cancellationToken);

    /// <summary>
    /// The cleaned texts of <paramref name="split"/> of a classification version, one per example in stored order (for
    /// models that read text, such as the TF-IDF baseline); a source without texts says so.
    /// </summary>
    IAsyncEnumerable<UnitDocument> ReadTextAsync(string split, CancellationToken cancellationToken) =>
        throw new TrainingFailedException($"dataset {Info.Name}/{Info.Version} is read from shards only and has no texts");
}

/// <summary>Opens the dataset version a job names.</summary>
public interface IExampleSourceFactory
{
    /// <summary>Opens <paramref name="dataset"/>; a missing version is a <see cref="TrainingFailedException"/> naming it.</summary>
    Task<IExampleSource> OpenAsync(DatasetReference dataset, CancellationToken cancellationToken);
}
