using static TorchSharp.torch;

namespace BertFunctions.Training.Data;

/// <summary>
/// One padded micro-batch on the CPU, as plain arrays (row-major) so it can be built, compared and moved freely;
/// <see cref="ToTensors"/> makes the tensors in the caller's dispose scope.
/// </summary>
/// <param name="Size">B, the number of sequences.</param>
/// <param name="Length">T, the longest sequence of the batch (the others are padded to it).</param>
/// <param name="InputIds">(B·T) ids, padding with the pad id.</param>
/// <param name="AttentionMask">(B·T) 1 for real tokens, 0 for padding.</param>
/// <param name="MlmLabels">(B·T) original ids at masked positions, -100 elsewhere; null for classification.</param>
/// <param name="ClassLabels">(B) class ids; null for MLM.</param>
/// <param name="Tokens">Real (unpadded) tokens in the batch, for throughput.</param>
/// <param name="Position">The data position after this batch.</param>
public sealed record Batch(int Size, int Length, long[] InputIds, long[] AttentionMask, long[]? MlmLabels, long[]? ClassLabels, long Tokens, DataPosition Position)
{
    /// <summary>The batch as int64 tensors on <paramref name="device"/>: ids (B, T), mask (B, T), labels (B, T) or (B).</summary>
    public (Tensor InputIds, Tensor AttentionMask, Tensor Labels) ToTensors(Device device)
    {
        var ids = tensor(InputIds, [Size, Length], ScalarType.Int64, device);
        var mask = tensor(AttentionMask, [Size, Length], ScalarType.Int64, device);
        var labels = MlmLabels is not null
            ? tensor(MlmLabels, [Size, Length], ScalarType.Int64, device)
            : tensor(ClassLabels!, [Size], ScalarType.Int64, device);
        return (ids, mask, labels);
    }
}
