namespace BertFunctions.Ingestion;

/// <summary>
/// Which inputs may be cut into <see cref="ByteRange"/>s read independently: the one rule, applied twice. The planner
/// asks by name before anything is read (<see cref="ByName"/>), the reader asks again once the content is known
/// (<see cref="ByContent"/>). Both go through the same test, so a name that promises a splittable file and content
/// that delivers one can never disagree about what "splittable" means; where the content breaks the name's promise
/// (gzip inside, UTF-16, e-mail in a <c>.txt</c>), the reader's answer wins and the file is read whole by the range
/// that holds offset 0.
/// </summary>
public static class ByteRangeSplitting
{
    /// <summary>Whether an input of this name may be split, judged by its extension and the options alone (nothing read yet).</summary>
    /// <param name="name">The input's name, relative to its dataset's prefix.</param>
    /// <param name="options">The reading options (format and text mode decide).</param>
    public static bool ByName(string name, IngestionOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        var extension = InputNames.Extension(name);
        return ByContent(FormatByName(extension, options), compressed: extension == ".gz", transcoded: false, options);
    }

    /// <summary>Whether an input whose content has been examined may be split.</summary>
    /// <param name="format">The format the input is read as (after sniffing).</param>
    /// <param name="compressed">Whether it is gzip: a compressed stream cannot be entered at an arbitrary offset.</param>
    /// <param name="transcoded">Whether it is transcoded to UTF-8 (UTF-16/32): byte offsets of the upload are not offsets of the text read.</param>
    /// <param name="options">The reading options (the text mode decides for text).</param>
    public static bool ByContent(InputFormat? format, bool compressed, bool transcoded, IngestionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Only formats whose records are found by scanning for line breaks can be entered mid-file.
        var lineBased = format == InputFormat.JsonLines
            || (format == InputFormat.Text && options.TextMode == TextDocumentMode.BlankLineSeparated);
        return lineBased && !compressed && !transcoded;
    }

    /// <summary>
    /// The format a name promises. With <see cref="InputFormat.Auto"/> only <c>.jsonl</c>/<c>.ndjson</c> and <c>.txt</c>
    /// make a promise; other names are sniffed when read, too late to plan byte ranges.
    /// </summary>
    private static InputFormat? FormatByName(string extension, IngestionOptions options) => options.Format switch
    {
        InputFormat.Auto => extension switch
        {
            ".jsonl" or ".ndjson" => InputFormat.JsonLines,
            ".txt" => InputFormat.Text,
            _ => null,
        },
        var declared => declared,
    };
}
