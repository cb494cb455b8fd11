namespace BertFunctions.Modeling;

/// <summary>A checkpoint's names or shapes do not match the model; lists every problem at once.</summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Creates the exception; the message lists every problem.</summary>
    public StateDictMismatchException(string source, string target, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(Describe(source, target, missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public StateDictMismatchException() : this("?", "?", [], [], []) { }

    /// <summary>Creates an exception with a message only.</summary>
    public StateDictMismatchException(string message) : base(message)
    {
        Missing = Unexpected = ShapeMismatches = [];
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public StateDictMismatchException(string message, Exception innerException) : base(message, innerException)
    {
        Missing = Unexpected = ShapeMismatches = [];
    }

    /// <summary>Keys the model has and the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Keys the checkpoint has and the model lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>One line per key present in both with different shapes.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string Describe(string source, string target, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapes)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} missing key(s): {string.Join(", ", missing)}");
        }

        if (unexpected.Count > 0)
        {
            parts.Add($"{unexpected.Count} unexpected key(s): {string.Join(", ", unexpected)}");
        }

        if (shapes.Count > 0)
        {
            parts.Add($"{shapes.Count} shape mismatch(es): {string.Join("; ", shapes)}");
        }

        return $"Cannot load {source} into {target}: " + string.Join(". ", parts) + ".";
    }
}
