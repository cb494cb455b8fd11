using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

internal static class TensorAssertions
{
    /// <summary>Same shape, dtype and bits (comparing as values: no NaNs occur in these tests).</summary>
    public static bool SameAs(this Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
