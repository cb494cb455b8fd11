namespace BertFunctions.Ingestion;

/// <summary>An input, or a record inside one, that did not become a document, and why.</summary>
/// <param name="Source">The input's name.</param>
/// <param name="Locator">Where in the input (same forms as <see cref="SourceDocument.Locator"/>); <c>""</c> for the whole file.</param>
/// <param name="Reason">A stable machine code from <see cref="QuarantineReasons"/>.</param>
/// <param name="Detail">A human explanation (sizes, the parser's message, the offending label).</param>
public sealed record QuarantineEntry(string Source, string Locator, string Reason, string Detail);
