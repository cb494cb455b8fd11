using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.OnnxRuntime;

namespace BertFunctions.Serving.Models;

/// <summary>
/// Whether ONNX Runtime's uint8 × int8 GEMM is exact on this CPU. With VNNI (vpdpbusd) products are summed in 32 bits.
/// Without it, x64 kernels use vpmaddubsw, which adds pairs of u8·s8 products in SATURATING 16 bits: 2 · 255 · 127
/// overflows, and full-range int8 weights then lose large sums. There, ONNX Runtime's own remedy is switched on: the
/// session option <c>session.x64quantprecision</c> makes it rewrite the int8 weights as uint8 (w + 128, zero point 128:
/// the same products) for its u8u8 kernels, which widen to 16 bits before multiplying: exact, at 0.7x the speed on the
/// machine of docs/benchmarks.md. It is not set where VNNI is present: ONNX Runtime would apply it there too, and lose
/// that speed for nothing.
/// </summary>
public static class Int8Kernels
{
    /// <summary>The session config key (onnxruntime_session_options_config_keys.h, kOrtSessionOptionsAvx2PrecisionMode).</summary>
    public const string PrecisionModeKey = "session.x64quantprecision";

    /// <summary>True on x86 CPUs without VNNI: int8 sessions must use <see cref="PrecisionModeKey"/>.</summary>
    public static bool U8S8MayOverflow { get; } = Detect();

    /// <summary>Sets <see cref="PrecisionModeKey"/> on <paramref name="options"/> where <see cref="U8S8MayOverflow"/>.</summary>
    public static void Configure(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (U8S8MayOverflow)
        {
            options.AddSessionConfigEntry(PrecisionModeKey, "1");
        }
    }

    private static bool Detect()
    {
        // ARM kernels (and any other architecture's) accumulate in 32 bits.
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.X86))
        {
            return false;
        }

        // AVX-VNNI, or AVX10.1 (which includes AVX-512 VNNI).
        if (AvxVnni.IsSupported || Avx10v1.IsSupported)
        {
            return false;
        }

        // AVX-512 VNNI alone (Cascade Lake, Ice Lake, Zen 4) has no .NET API; Linux lists it. Elsewhere assume the worst:
        // exact and slower rather than fast and wrong.
        const string cpuInfo = "/proc/cpuinfo";
        return !(File.Exists(cpuInfo) && File.ReadLines(cpuInfo).Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Split(' ').Contains("avx512_vnni")));
    }
}
