using System.Globalization;
using System.Text.Json;

namespace BertFunctions.Serving.Api;

/// <summary>A valid <c>POST /api/classify</c> body: <c>{"text": "..."}</c> or <c>{"texts": [...]}</c>, optional <c>model</c> and <c>top_k</c>.</summary>
/// <param name="Texts">One or more texts, none empty (longer than the character limit: clipped by <see cref="TextWindow"/>).</param>
/// <param name="Model">NAME (its live version) or NAME/VERSION; null: the endpoint's default.</param>
/// <param name="TopK">How many classes to return per text, most probable first; null: all.</param>
public sealed record ClassifyRequest(IReadOnlyList<string> Texts, string? Model, int? TopK)
{
    /// <summary>
    /// Parses strictly, with a pull reader rather than a serializer so that every refusal names the field and what to
    /// send instead: an unknown or repeated field, a wrong type, an empty or too long text, too many texts. Null is
    /// accepted for the optional fields only.
    /// </summary>
    /// <exception cref="ClassifyRequestException">The body is not a valid request; the message says why.</exception>
    public static ClassifyRequest Parse(ReadOnlySpan<byte> json, int maxTexts, int maxTextChars)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (json.Trim(" \t\r\n"u8).IsEmpty || !reader.Read())
            {
                throw Bad("the body is empty: send {\"text\": \"...\"} or {\"texts\": [\"...\", ...]}");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad("the body must be a JSON object: {\"text\": \"...\"} or {\"texts\": [\"...\", ...]}");
            }

            string? text = null, model = null;
            List<string>? texts = null;
            int? topK = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.GetString()!;
                if (!seen.Add(field))
                {
                    throw Bad($"field '{Printable(field)}' appears twice");
                }

                reader.Read();
                switch (field)
                {
                    case "text":
                        text = ReadText(ref reader, "text", maxTextChars);
                        break;
                    case "texts":
                        texts = ReadTexts(ref reader, maxTexts, maxTextChars);
                        break;
                    case "model":
                        model = reader.TokenType == JsonTokenType.Null ? null : NonEmptyString(ref reader, "model");
                        break;
                    case "top_k":
                        topK = reader.TokenType == JsonTokenType.Null ? null : PositiveInteger(ref reader, "top_k");
                        break;
                    default:
                        throw Bad($"unknown field '{Printable(field)}': a request has 'text' or 'texts', and optionally 'model' and 'top_k'");
                }
            }

            // The reader refuses anything but whitespace after the object.
            while (reader.Read())
            {
            }

            return (text, texts) switch
            {
                (not null, not null) => throw Bad("send either 'text' or 'texts', not both"),
                (not null, null) => new ClassifyRequest([text], model, topK),
                (null, not null) => new ClassifyRequest(texts, model, topK),
                _ => throw Bad("the request has no 'text' (a string) or 'texts' (an array of strings)"),
            };
        }
        catch (JsonException e)
        {
            throw Bad($"the body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // GetString on an escaped lone surrogate (\ud800): JSON, but not Unicode text.
            throw Bad($"the body holds a string that is not valid Unicode: {e.Message}");
        }
    }

    private static List<string> ReadTexts(ref Utf8JsonReader reader, int maxTexts, int maxTextChars)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"'texts' must be an array of strings, not {Describe(reader.TokenType)}");
        }

        var texts = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (texts.Count == maxTexts)
            {
                throw Bad($"too many texts: at most {maxTexts} per request");
            }

            texts.Add(ReadText(ref reader, string.Create(CultureInfo.InvariantCulture, $"texts[{texts.Count}]"), maxTextChars));
        }

        return texts.Count > 0 ? texts : throw Bad("'texts' is empty: send at least one text");
    }

    private static string ReadText(ref Utf8JsonReader reader, string field, int maxTextChars)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad($"'{field}' must be a string, not {Describe(reader.TokenType)}");
        }

        // A text over the character limit is not refused: it is cut to its head and tail (TextWindow) and flagged as
        // truncated in the response, as the model's own truncation would; the body limit bounds what is read at all.
        var text = reader.GetString()!;
        return string.IsNullOrWhiteSpace(text) ? throw Bad($"'{field}' is empty") : text;
    }

    private static string NonEmptyString(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad($"'{field}' must be a string, not {Describe(reader.TokenType)}");
        }

        var value = reader.GetString()!;
        return value.Length > 0 ? value : throw Bad($"'{field}' is empty");
    }

    private static int PositiveInteger(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value >= 1
            ? value
            : throw Bad($"'{field}' must be a whole number of at least 1");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    // Field names come from the request: echo a short, printable prefix only.
    private static string Printable(string value)
    {
        var shown = value.Length > 40 ? value[..40] + "..." : value;
        return string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c));
    }

    private static ClassifyRequestException Bad(string message) => new(message);
}

/// <summary>A request body that is not a valid classify request; the message is the problem's detail.</summary>
public sealed class ClassifyRequestException(string message) : Exception(message);
