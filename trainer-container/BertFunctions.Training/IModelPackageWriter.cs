using BertFunctions.Contracts.Training;

namespace BertFunctions.Training;

/// <summary>
/// Writes a model package (HF folder, ONNX export, metrics) to <c>models/{name}/{version}/</c> after a successful job.
/// The runner calls it when the spec has an <see cref="TrainingJobSpec.Output"/>; implemented by the packaging code.
/// </summary>
public interface IModelPackageWriter
{
    /// <summary>Writes the package and returns its location (e.g. <c>models/spam/v1/</c>).</summary>
    /// <param name="spec">The job.</param>
    /// <param name="result">The trained model, config, vocabulary, labels and metrics (still owned by the caller).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<string> WriteAsync(TrainingJobSpec spec, TrainingResult result, CancellationToken cancellationToken);
}

/// <summary>The default: writes nothing and returns the location the package would have.</summary>
public sealed class NoOpModelPackageWriter : IModelPackageWriter
{
    /// <inheritdoc />
    public Task<string> WriteAsync(TrainingJobSpec spec, TrainingResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Task.FromResult(spec.Output is null ? "" : $"{Contracts.Storage.StorageLayout.ModelsContainer}/{spec.Output.Prefix}");
    }
}
