using System.Runtime.InteropServices;

namespace BertFunctions.Training.Engine;

/// <summary>
/// The compute capability of a CUDA device, from the driver API (<c>libcuda</c>, present wherever a GPU is):
/// TorchSharp 0.107 does not expose <c>torch.cuda.get_device_capability</c>.
/// </summary>
internal static class CudaCapability
{
    private const int ComputeCapabilityMajor = 75; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CuInit(uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CuDeviceGetAttribute(out int value, int attribute, int device);

    /// <summary>The major version of device <paramref name="ordinal"/>'s capability; null when the driver cannot say.</summary>
    public static int? Major(int ordinal)
    {
        foreach (var name in (string[])["libcuda.so.1", "libcuda.so", "nvcuda.dll"])
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(library, "cuInit", out var init) || !NativeLibrary.TryGetExport(library, "cuDeviceGetAttribute", out var attribute))
            {
                return null;
            }

            if (Marshal.GetDelegateForFunctionPointer<CuInit>(init)(0) != 0)
            {
                return null;
            }

            return Marshal.GetDelegateForFunctionPointer<CuDeviceGetAttribute>(attribute)(out var major, ComputeCapabilityMajor, ordinal) == 0 ? major : null;
        }

        return null;
    }
}
