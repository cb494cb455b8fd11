using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

/// <summary>
/// TorchSharp's native library must load on this host (Debian 12 needs the GLIBCXX fix applied by the build)
/// and compute real numbers.
/// </summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void MatrixProductAndGradientAreComputedByLibTorch()
    {
        // (2x3) @ (3x2) with known values, then d(sum)/dA = row sums of B broadcast.
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3], requires_grad: true);
        using var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());

        using var total = c.sum();
        total.backward();
        Assert.Equal(new float[] { 15, 19, 23, 15, 19, 23 }, a.grad!.data<float>().ToArray());
    }
}
