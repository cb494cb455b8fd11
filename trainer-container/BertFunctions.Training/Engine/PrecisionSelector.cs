using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace BertFunctions.Training.Engine;

/// <summary>Chooses the dtype of a job's matmuls (see <see cref="BertFunctions.Contracts.Training.Hyperparameters.Precision"/>).</summary>
public static class PrecisionSelector
{
    /// <summary>
    /// <c>fp32</c>; <c>bf16</c>; <c>auto</c>: bf16 where <paramref name="device"/> computes it natively (a CPU with
    /// AVX-512 BF16 or AMX, a CUDA device of compute capability 8.0 or more), else fp32. bf16 asked for on a device
    /// without it still runs (emulated, slower), as PyTorch does; the log says so.
    /// </summary>
    public static ScalarType Select(string requested, Device device, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(device);
        var native = NativeBf16(device);
        var dtype = requested switch
        {
            "fp32" => ScalarType.Float32,
            "bf16" => ScalarType.BFloat16,
            _ => native.Supported ? ScalarType.BFloat16 : ScalarType.Float32,
        };
        if (logger.IsEnabled(LogLevel.Information))
        {
            var name = Name(dtype);
            TrainingLog.PrecisionChosen(logger, name, requested, native.Why);
        }

        return dtype;
    }

    /// <summary><c>bf16</c> or <c>fp32</c>: the name a job spec, metrics.json and the cost use.</summary>
    public static string Name(ScalarType dtype) => dtype == ScalarType.BFloat16 ? "bf16" : "fp32";

    /// <summary>Whether <paramref name="device"/> has native bf16 matmuls, and what was seen.</summary>
    public static (bool Supported, string Why) NativeBf16(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type == TorchSharp.DeviceType.CUDA)
        {
            return CudaCapability.Major(device.index < 0 ? 0 : device.index) is { } major
                ? (major >= 8, $"CUDA compute capability {major}.x")
                : (false, "CUDA compute capability unknown");
        }

        var flags = CpuFeatures.Bf16Flags();
        return flags.Count > 0 ? (true, "CPU has " + string.Join(", ", flags)) : (false, "CPU has neither avx512_bf16 nor amx_bf16");
    }
}
