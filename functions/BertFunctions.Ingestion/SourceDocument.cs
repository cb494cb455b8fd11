namespace BertFunctions.Ingestion;

/// <summary>One clean document read from an input.</summary>
/// <param name="Text">The text after <see cref="TextCleaner.Clean"/>.</param>
/// <param name="Label">The label after the label map, or <see langword="null"/> for unlabeled data.</param>
/// <param name="Source">The input's name as given to <see cref="DocumentReader.ReadAsync"/>.</param>
/// <param name="Locator">
/// Where in the input: <c>""</c> for a whole file, <c>"line 12"</c> (JSON Lines, blank-line-separated text),
/// <c>"byte 4096"</c> for those when read by <see cref="ByteRange"/>, <c>"row 5"</c> (CSV/TSV, header = row 1; Parquet,
/// the first record = row 1).
/// </param>
public sealed record SourceDocument(string Text, string? Label, string Source, string Locator);
