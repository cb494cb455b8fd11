using Onnx;

namespace BertFunctions.Benchmarks.Quantization;

/// <summary>The graph ONNX Runtime runs after its optimisations, read back from SessionOptions.OptimizedModelFilePath: which fusions happened.</summary>
internal static class OptimizedGraph
{
    /// <summary>Node counts by op type (<c>com.microsoft.</c> prefixed for contrib ops), most frequent first.</summary>
    public static IReadOnlyList<(string Op, int Count)> OpCounts(string optimizedModelPath) =>
        [.. ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimizedModelPath)).Graph.Node
            .GroupBy(n => string.IsNullOrEmpty(n.Domain) ? n.OpType : $"{n.Domain}.{n.OpType}", StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count()))
            .OrderByDescending(g => g.Item2)
            .ThenBy(g => g.Key, StringComparer.Ordinal)];

    public static string Describe(IReadOnlyList<(string Op, int Count)> counts) => string.Join(", ", counts.Select(c => $"{c.Op} {c.Count}"));
}
