using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace BertFunctions.Training.Engine;

/// <summary>Chooses where to train, and the numeric settings that go with it.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// <c>cpu</c>; <c>cuda</c> (fails when absent); <c>auto</c>: CUDA when TorchSharp sees a GPU, else CPU. On CUDA TF32
    /// matmuls are switched on for whatever stays float32; the precision of the matmuls is <see cref="PrecisionSelector"/>'s.
    /// </summary>
    public static Device Select(string requested, ILogger logger)
    {
        var cuda = cuda_is_available();
        if (requested == "cuda" && !cuda)
        {
            throw new TrainingFailedException("device cuda was asked for, but TorchSharp sees no CUDA device (is the CUDA build of TorchSharp installed?)");
        }

        if (requested != "cpu" && cuda)
        {
            backends.cuda.matmul.allow_tf32 = true;
            backends.cudnn.allow_tf32 = true;
            TrainingLog.DeviceChosen(logger, "cuda", "TF32 allowed for float32 matmuls");
            return CUDA;
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            var threads = $"{get_num_threads()} threads";
            TrainingLog.DeviceChosen(logger, "cpu", threads);
        }
        return CPU;
    }

    /// <summary>The device for people and cost reports: <c>cuda</c>, or <c>cpu (N threads)</c>.</summary>
    public static string Describe(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.type == TorchSharp.DeviceType.CUDA ? "cuda" : $"cpu ({get_num_threads()} threads)";
    }
}
