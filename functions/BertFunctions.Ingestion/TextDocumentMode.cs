namespace BertFunctions.Ingestion;

/// <summary>How a plain text input splits into documents.</summary>
public enum TextDocumentMode
{
    /// <summary>The whole file is one document.</summary>
    FilePerDocument,

    /// <summary>Each run of non-blank lines is one document; blank (whitespace-only) lines separate them.</summary>
    BlankLineSeparated,
}
