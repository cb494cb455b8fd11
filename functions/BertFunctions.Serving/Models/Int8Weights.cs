namespace BertFunctions.Serving.Models;

/// <summary>
/// A float weight matrix W [K, N] (MatMul's B: K inputs, N outputs) as int8, symmetric, one scale per output column:
/// W[k, n] ≈ Values[k, n] · Scales[n], zero point 0. Per column because the columns of a trained layer differ in
/// range by an order of magnitude; one scale for the whole matrix would spend the few levels of the narrow ones on
/// the range of the wide ones.
/// </summary>
/// <param name="Values">Row-major [K, N], in [-127, 127].</param>
/// <param name="Scales">[N], positive.</param>
public sealed record Int8Weights(int Rows, int Columns, sbyte[] Values, float[] Scales)
{
    /// <summary>
    /// ±127, not -128: a symmetric range keeps the zero point at exactly 0 and the error of +x and -x equal, as
    /// onnxruntime.quantization does for symmetric weights.
    /// </summary>
    public const int Levels = 127;

    /// <summary>Quantizes <paramref name="weights"/> (row-major [<paramref name="rows"/>, <paramref name="columns"/>]).</summary>
    public static Int8Weights Quantize(ReadOnlySpan<float> weights, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (weights.Length != (long)rows * columns)
        {
            throw new ArgumentException($"{weights.Length} weights are not a [{rows}, {columns}] matrix", nameof(weights));
        }

        var maxAbs = new float[columns];
        for (var k = 0; k < rows; k++)
        {
            var row = weights.Slice(k * columns, columns);
            for (var n = 0; n < columns; n++)
            {
                if (!float.IsFinite(row[n]))
                {
                    throw new InvalidDataException($"weight [{k}, {n}] is {row[n]}: a model with non-finite weights cannot be quantized");
                }

                maxAbs[n] = Math.Max(maxAbs[n], Math.Abs(row[n]));
            }
        }

        // An all-zero column gets scale 1: any scale represents it exactly, and 0 would divide by zero below.
        var scales = maxAbs.Select(m => m > 0 ? m / Levels : 1f).ToArray();
        var values = new sbyte[weights.Length];
        for (var k = 0; k < rows; k++)
        {
            for (var n = 0; n < columns; n++)
            {
                var i = (k * columns) + n;
                // Round half to even, as DynamicQuantizeLinear rounds the activations.
                values[i] = (sbyte)Math.Clamp(MathF.Round(weights[i] / scales[n], MidpointRounding.ToEven), -Levels, Levels);
            }
        }

        return new Int8Weights(rows, columns, values, scales);
    }

    /// <summary>Values[k, n] · Scales[n]: what the quantized graph multiplies by.</summary>
    public float Dequantized(int row, int column) => Values[(row * Columns) + column] * Scales[column];
}
