using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>
/// A module whose matrix multiplications may run in a narrower dtype than its float32 weights (mixed precision).
/// </summary>
public interface IMixedPrecision
{
    /// <summary>
    /// The dtype of its matmuls under mixed precision (<see cref="ScalarType.BFloat16"/>), or null (the default): every
    /// operation in the dtype of its weights, as a plain module.
    /// </summary>
    ScalarType? ComputeDtype { get; set; }
}

/// <summary>
/// Mixed precision by hand, as PyTorch's autocast does it (TorchSharp 0.107 has no autocast): the parameters stay
/// float32 (the master weights the optimizer updates and checkpoints store); each linear layer and the attention
/// multiply bfloat16 copies of their inputs and weights, made per call; LayerNorm, the residual stream, the loss and
/// the optimizer stay float32. The casts are autograd operations, so each weight's gradient arrives in float32.
/// bf16 has float32's exponent range, so no loss scaling is needed.
/// </summary>
public static class MixedPrecision
{
    /// <summary>Sets the matmul dtype of every <see cref="IMixedPrecision"/> module of <paramref name="model"/>, itself included.</summary>
    public static void SetComputeDtype(Module model, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
        {
            throw new ArgumentException($"compute dtype must be Float32 or BFloat16, not {dtype}", nameof(dtype));
        }

        foreach (var module in model.modules().Prepend(model).OfType<IMixedPrecision>())
        {
            module.ComputeDtype = dtype == ScalarType.Float32 ? null : dtype;
        }
    }

    /// <summary>The matmul dtype of <paramref name="model"/> (that of its first <see cref="IMixedPrecision"/> module; float32 when plain).</summary>
    public static ScalarType ComputeDtype(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.modules().Prepend(model).OfType<IMixedPrecision>().FirstOrDefault()?.ComputeDtype ?? ScalarType.Float32;
    }

    /// <summary>
    /// <paramref name="layer"/> applied to <paramref name="x"/>: the layer itself when <paramref name="dtype"/> is null,
    /// else x·Wᵀ + b over <paramref name="dtype"/> copies of all three (the result is in <paramref name="dtype"/>).
    /// </summary>
    public static Tensor Linear(Linear layer, Tensor x, ScalarType? dtype)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(x);
        return dtype is not { } d ? layer.forward(x) : functional.linear(x.to(d), layer.weight!.to(d), layer.bias?.to(d));
    }

    /// <summary>
    /// Under mixed precision (<paramref name="dtype"/> set), <paramref name="x"/> in float32: what LayerNorm and the
    /// losses read. Otherwise <paramref name="x"/> as it is.
    /// </summary>
    public static Tensor ToFloat32(Tensor x, ScalarType? dtype)
    {
        ArgumentNullException.ThrowIfNull(x);
        return dtype is null || x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);
    }
}
