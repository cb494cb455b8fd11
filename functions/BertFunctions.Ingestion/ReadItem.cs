namespace BertFunctions.Ingestion;

/// <summary>What reading an input yields: a document or a quarantine entry, never nothing for a record seen.</summary>
public abstract record ReadItem
{
    // Closed hierarchy: only the two cases below.
    private ReadItem()
    {
    }

    /// <summary>A clean document.</summary>
    /// <param name="Value">The document.</param>
    public sealed record Document(SourceDocument Value) : ReadItem;

    /// <summary>A record or file that was set aside.</summary>
    /// <param name="Value">Why, and where.</param>
    public sealed record Quarantined(QuarantineEntry Value) : ReadItem;
}
