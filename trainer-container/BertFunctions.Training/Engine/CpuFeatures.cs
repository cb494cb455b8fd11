namespace BertFunctions.Training.Engine;

/// <summary>The CPU's bf16 instructions, as Linux reports them in <c>/proc/cpuinfo</c> (the trainer's containers are Linux).</summary>
public static class CpuFeatures
{
    private static readonly string[] Bf16 = ["avx512_bf16", "amx_bf16"];

    /// <summary>Which of <c>avx512_bf16</c> and <c>amx_bf16</c> the CPU has; empty where unknown (not Linux).</summary>
    public static IReadOnlyList<string> Bf16Flags(string cpuinfo = "/proc/cpuinfo")
    {
        if (!File.Exists(cpuinfo))
        {
            return [];
        }

        var flags = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        if (flags is null)
        {
            return [];
        }

        var present = flags[(flags.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return Bf16.Where(present.Contains).ToArray();
    }
}
