namespace BertFunctions.Tokenization;

/// <summary>
/// Settings of the BERT pipeline, named after Hugging Face's <c>BertNormalizer</c> and <c>WordPiece</c>.
/// The defaults are those of <c>bert-base-uncased</c>.
/// </summary>
public sealed record BertTokenizerOptions
{
    /// <summary>Lowercase the text (Rust <c>char::to_lowercase</c>, full mapping). Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Remove accents (NFD, then drop non-spacing marks). Null means: same as <see cref="LowerCase"/>, as in HF.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Put spaces around CJK ideographs so each becomes its own word. Default true.</summary>
    public bool HandleChineseChars { get; init; } = true;

    /// <summary>Delete control and format characters and turn every whitespace character into a space. Default true.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>Words longer than this many Unicode code points become <see cref="UnkToken"/>. Default 100.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    /// <summary>Token for words WordPiece cannot split. Default <c>[UNK]</c>.</summary>
    public string UnkToken { get; init; } = "[UNK]";

    /// <summary>Token that starts every encoding. Default <c>[CLS]</c>.</summary>
    public string ClsToken { get; init; } = "[CLS]";

    /// <summary>Token that ends each segment. Default <c>[SEP]</c>.</summary>
    public string SepToken { get; init; } = "[SEP]";

    /// <summary>Padding token. Default <c>[PAD]</c>.</summary>
    public string PadToken { get; init; } = "[PAD]";

    /// <summary>Mask token for masked language modelling. Default <c>[MASK]</c>.</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>Whether accents are stripped once the HF default is applied.</summary>
    internal bool EffectiveStripAccents => StripAccents ?? LowerCase;

    /// <summary>The five special tokens, in the order HF's BertTokenizerFast registers them.</summary>
    internal IReadOnlyList<string> SpecialTokens => [PadToken, UnkToken, ClsToken, SepToken, MaskToken];
}
