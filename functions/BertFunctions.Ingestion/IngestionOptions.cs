namespace BertFunctions.Ingestion;

/// <summary>How inputs are read. Every limit is configurable; <see cref="Validate"/> reports every problem at once.</summary>
public sealed record IngestionOptions
{
    /// <summary>The input format; <see cref="InputFormat.Auto"/> decides per file.</summary>
    public InputFormat Format { get; init; } = InputFormat.Auto;

    /// <summary>How plain text splits into documents.</summary>
    public TextDocumentMode TextMode { get; init; } = TextDocumentMode.FilePerDocument;

    /// <summary>The JSON Lines property, CSV/TSV column (header row required) or Parquet column holding the text.</summary>
    public string TextField { get; init; } = "text";

    /// <summary>The JSON Lines property, CSV/TSV column or Parquet column holding the label (a string; or an integer for JSON Lines; or an integer or boolean for Parquet).</summary>
    public string LabelField { get; init; } = "label";

    /// <summary>
    /// Label = name of the folder containing the file (e.g. <c>labeled/imdb/pos/1.txt</c> → <c>pos</c>). A non-empty
    /// label field of a record takes precedence over the folder.
    /// </summary>
    public bool LabelFromFolder { get; init; }

    /// <summary>Raw label → label, first matching rule wins; a raw label no rule matches is kept as it is.</summary>
    public IReadOnlyList<LabelRule> LabelMap { get; init; } = [];

    /// <summary>When set, a document whose label (after the map) is not in this list is quarantined as <see cref="QuarantineReasons.UnknownLabel"/>.</summary>
    public IReadOnlyList<string>? AllowedLabels { get; init; }

    /// <summary>Labeled data: a document without a label is quarantined as <see cref="QuarantineReasons.MissingLabel"/>.</summary>
    public bool Labeled { get; init; }

    /// <summary>
    /// Remove the footer mailing-list managers append (<see cref="MailingListFooter"/>) from each document. Left out of
    /// the serialized options when off, so that dataset versions ingested before the option existed keep their ids.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool StripListFooters { get; init; }

    /// <summary>
    /// File globs an input must match (<c>*</c>, <c>?</c>, <c>**</c>; case-insensitive). A pattern without <c>/</c> is matched
    /// against the file name, one with <c>/</c> against the whole name.
    /// </summary>
    public IReadOnlyList<string> Include { get; init; } = ["*"];

    /// <summary>File globs that turn an input away even when it matches <see cref="Include"/>.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Largest input (or range, or decompressed data) read; larger ones are <see cref="QuarantineReasons.FileTooLarge"/>.</summary>
    public long MaxFileBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Longest line (JSON Lines, blank-line-separated text), in bytes, or CSV field or Parquet text, in characters; longer ones are quarantined (lines without being buffered).</summary>
    public int MaxLineBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Fewest characters a cleaned document may have.</summary>
    public int MinDocumentChars { get; init; } = 1;

    /// <summary>Most characters a cleaned document may have.</summary>
    public int MaxDocumentChars { get; init; } = 1_000_000;

    /// <summary>
    /// The largest limits anyone may ask for (a request sets its own limits, but never past these): a 2 GB serverless
    /// instance must survive any input within them, and arithmetic on them must not overflow. This one is
    /// <see cref="MaxFileBytes"/>'s.
    /// </summary>
    public const long CeilingFileBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>The largest <see cref="MaxLineBytes"/> accepted.</summary>
    public const int CeilingLineBytes = 64 * 1024 * 1024;

    /// <summary>The largest <see cref="MaxDocumentChars"/> accepted.</summary>
    public const int CeilingDocumentChars = 10_000_000;

    /// <summary>Every problem with these options, in words; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Format))
        {
            problems.Add($"Format {(int)Format} is not an InputFormat.");
        }

        if (!Enum.IsDefined(TextMode))
        {
            problems.Add($"TextMode {(int)TextMode} is not a TextDocumentMode.");
        }

        if (string.IsNullOrWhiteSpace(TextField))
        {
            problems.Add("TextField must name the JSON property or CSV column holding the text.");
        }

        if (string.IsNullOrWhiteSpace(LabelField))
        {
            problems.Add("LabelField must name the JSON property or CSV column holding the label.");
        }

        if (LabelMap is null || LabelMap.Any(r => r is null || string.IsNullOrEmpty(r.Pattern) || string.IsNullOrWhiteSpace(r.Label)))
        {
            problems.Add("LabelMap must not be null, and every rule needs a non-empty Pattern and Label.");
        }

        if (AllowedLabels is not null && (AllowedLabels.Count == 0 || AllowedLabels.Any(string.IsNullOrWhiteSpace)))
        {
            problems.Add("AllowedLabels, when set, must list at least one non-empty label.");
        }

        if (Include is null || Include.Count == 0 || Include.Any(string.IsNullOrEmpty))
        {
            problems.Add("Include must list at least one non-empty glob (\"*\" takes every file).");
        }

        if (Exclude is null || Exclude.Any(string.IsNullOrEmpty))
        {
            problems.Add("Exclude must not be null or hold empty globs.");
        }

        if (MaxFileBytes is <= 0 or > CeilingFileBytes)
        {
            problems.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"MaxFileBytes must be 1 to {CeilingFileBytes:N0} (was {MaxFileBytes:N0})."));
        }

        if (MaxLineBytes is <= 0 or > CeilingLineBytes)
        {
            problems.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"MaxLineBytes must be 1 to {CeilingLineBytes:N0} (was {MaxLineBytes:N0})."));
        }

        if (MinDocumentChars < 1)
        {
            problems.Add($"MinDocumentChars must be at least 1: an empty document is never useful (was {MinDocumentChars}).");
        }

        if (MaxDocumentChars > CeilingDocumentChars)
        {
            problems.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"MaxDocumentChars must be at most {CeilingDocumentChars:N0} (was {MaxDocumentChars:N0})."));
        }

        if (MaxDocumentChars < MinDocumentChars)
        {
            problems.Add($"MaxDocumentChars ({MaxDocumentChars}) must be at least MinDocumentChars ({MinDocumentChars}).");
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the options are not usable.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid ingestion options: " + string.Join(" ", problems));
        }
    }
}
