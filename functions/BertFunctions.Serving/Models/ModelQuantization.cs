namespace BertFunctions.Serving.Models;

/// <summary>The values of <see cref="ServingOptions.Quantization"/>.</summary>
public static class ModelQuantization
{
    /// <summary>The package's float32 model.onnx as it is.</summary>
    public const string None = "none";

    /// <summary>model.onnx rewritten by <see cref="Int8DynamicQuantizer"/> when it is loaded.</summary>
    public const string DynamicInt8 = "int8";

    public static IReadOnlyList<string> All { get; } = [None, DynamicInt8];

    /// <summary>The canonical spelling of <paramref name="value"/> (configuration is case-insensitive), or null if it is none of <see cref="All"/>.</summary>
    public static string? Normalize(string? value) => All.FirstOrDefault(v => string.Equals(v, value?.Trim(), StringComparison.OrdinalIgnoreCase));
}
