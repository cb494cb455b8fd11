namespace BertFunctions.Ingestion;

/// <summary>Turns one raw record into a document or a quarantine entry: labels, cleaning, length limits.</summary>
internal sealed class DocumentFinisher(IngestionOptions options, LabelResolver labels)
{
    /// <summary>Raw text longer than this is too long before cleaning could bring it under the limit in any realistic case.</summary>
    public long MaxRawChars => Math.Min(int.MaxValue / 2, (options.MaxDocumentChars * 4L) + 4096);

    public ReadItem Finish(string source, string locator, string rawText, string? fieldLabel, string? folderLabel)
    {
        var (label, reason, detail) = labels.Resolve(fieldLabel, folderLabel);
        if (reason is not null)
        {
            return Quarantine(source, locator, reason, detail);
        }

        if (rawText.Length > MaxRawChars)
        {
            return Quarantine(source, locator, QuarantineReasons.TooLong, $"more than {MaxRawChars:N0} characters before cleaning (limit {options.MaxDocumentChars:N0})");
        }

        var text = TextCleaner.Clean(rawText);
        if (options.StripListFooters)
        {
            text = MailingListFooter.Strip(text);
        }

        if (text.Length == 0)
        {
            return Quarantine(source, locator, QuarantineReasons.EmptyAfterCleaning, $"{rawText.Length:N0} characters before cleaning, none after");
        }

        if (text.Length < options.MinDocumentChars)
        {
            return Quarantine(source, locator, QuarantineReasons.TooShort, $"{text.Length:N0} characters after cleaning (minimum {options.MinDocumentChars:N0})");
        }

        if (text.Length > options.MaxDocumentChars)
        {
            return Quarantine(source, locator, QuarantineReasons.TooLong, $"{text.Length:N0} characters after cleaning (limit {options.MaxDocumentChars:N0})");
        }

        return new ReadItem.Document(new SourceDocument(text, label, source, locator));
    }

    public static ReadItem Quarantine(string source, string locator, string reason, string detail) =>
        new ReadItem.Quarantined(new QuarantineEntry(source, locator, reason, detail));
}
