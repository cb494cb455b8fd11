using BertFunctions.Serving.Models;

namespace BertFunctions.Serving.Tests;

/// <summary>The weight half of int8 quantization: symmetric, one scale per output column.</summary>
public sealed class Int8WeightsTests
{
    [Fact]
    public void Each_column_gets_its_own_scale_and_every_weight_is_within_half_a_step()
    {
        // [3, 4]: columns of very different ranges, one all zero, one whose extreme is negative.
        float[] w =
        [
            0.5f, -8f, 0f, 0.001f,
            -0.25f, 2f, 0f, -0.003f,
            0.1f, 1f, 0f, 0.002f,
        ];
        var q = Int8Weights.Quantize(w, 3, 4);

        Assert.Equal([0.5f / 127, 8f / 127, 1f, 0.003f / 127], q.Scales);
        Assert.Equal((sbyte)127, q.Values[0]);   // a column's largest |w| is the full range
        Assert.Equal((sbyte)-127, q.Values[1]);
        Assert.Equal((sbyte)-127, q.Values[7]);
        Assert.Equal([0, 0, 0], ((int[])[2, 6, 10]).Select(i => q.Values[i])); // the zero column stays exactly zero
        for (var k = 0; k < 3; k++)
        {
            for (var n = 0; n < 4; n++)
            {
                Assert.True(Math.Abs(q.Dequantized(k, n) - w[(k * 4) + n]) <= (q.Scales[n] / 2) + 1e-9, $"[{k}, {n}]");
            }
        }
    }

    [Fact]
    public void Non_finite_weights_and_wrong_shapes_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => Int8Weights.Quantize([1f, float.NaN], 1, 2));
        Assert.Throws<ArgumentException>(() => Int8Weights.Quantize([1f, 2f, 3f], 2, 2));
    }
}
