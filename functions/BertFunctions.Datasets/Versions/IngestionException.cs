namespace BertFunctions.Datasets;

/// <summary>A dataset-level problem the user must fix (no inputs, empty after cleaning, a single label).</summary>
public sealed class IngestionException(string message) : Exception(message);
