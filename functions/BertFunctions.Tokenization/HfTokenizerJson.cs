using System.Text.Json;

namespace BertFunctions.Tokenization;

/// <summary>Writes a <c>tokenizer.json</c> that HF's Rust <c>tokenizers</c> loads and that tokenizes as the given tokenizer does.</summary>
public static class HfTokenizerJson
{
    /// <summary>
    /// BertNormalizer, BertPreTokenizer, WordPiece (<c>##</c>, max chars per word), BertProcessing,
    /// WordPiece decoder, and the five special tokens as added tokens (normalized=false), as HF's
    /// BertTokenizerFast conversion writes them.
    /// </summary>
    public static void Write(BertWordPieceTokenizer tokenizer, Stream output) => Write(tokenizer, output, truncateAt: null);

    /// <summary>Same, with HF's truncation section (longest_first, stride 0, right) when <paramref name="truncateAt"/> is set.</summary>
    internal static void Write(BertWordPieceTokenizer tokenizer, Stream output, int? truncateAt)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(output);
        var options = tokenizer.Options;
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        if (truncateAt is { } max)
        {
            json.WriteStartObject("truncation");
            json.WriteString("direction", "Right");
            json.WriteNumber("max_length", max);
            json.WriteString("strategy", "LongestFirst");
            json.WriteNumber("stride", 0);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("truncation");
        }

        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        foreach (var (token, id) in options.SpecialTokens.Distinct(StringComparer.Ordinal)
                     .Select(t => (t, tokenizer.TokenIds[t])).OrderBy(p => p.Item2))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("content", token);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartObject("normalizer");
        json.WriteString("type", "BertNormalizer");
        json.WriteBoolean("clean_text", options.CleanText);
        json.WriteBoolean("handle_chinese_chars", options.HandleChineseChars);
        if (options.StripAccents is { } strip)
        {
            json.WriteBoolean("strip_accents", strip);
        }
        else
        {
            json.WriteNull("strip_accents");
        }

        json.WriteBoolean("lowercase", options.LowerCase);
        json.WriteEndObject();

        json.WriteStartObject("pre_tokenizer");
        json.WriteString("type", "BertPreTokenizer");
        json.WriteEndObject();

        json.WriteStartObject("post_processor");
        json.WriteString("type", "BertProcessing");
        WritePair(json, "sep", options.SepToken, tokenizer.SepTokenId);
        WritePair(json, "cls", options.ClsToken, tokenizer.ClsTokenId);
        json.WriteEndObject();

        json.WriteStartObject("decoder");
        json.WriteString("type", "WordPiece");
        json.WriteString("prefix", Vocabulary.ContinuationPrefix);
        json.WriteBoolean("cleanup", true);
        json.WriteEndObject();

        json.WriteStartObject("model");
        json.WriteString("type", "WordPiece");
        json.WriteString("unk_token", options.UnkToken);
        json.WriteString("continuing_subword_prefix", Vocabulary.ContinuationPrefix);
        json.WriteNumber("max_input_chars_per_word", options.MaxInputCharsPerWord);
        json.WriteStartObject("vocab");
        foreach (var (token, id) in tokenizer.TokenIds.OrderBy(p => p.Value))
        {
            json.WriteNumber(token, id);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePair(Utf8JsonWriter json, string name, string token, int id)
    {
        json.WriteStartArray(name);
        json.WriteStringValue(token);
        json.WriteNumberValue(id);
        json.WriteEndArray();
    }
}
