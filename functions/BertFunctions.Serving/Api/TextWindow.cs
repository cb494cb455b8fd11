namespace BertFunctions.Serving.Api;

/// <summary>
/// Clips a text longer than the request limit to its first and last halves. The classifier reads at most its sequence
/// length in word pieces from the head and the tail (truncation policy of training: head, or head + tail), a few
/// hundred characters at each end, so with thousands of characters kept at each end the model sees exactly what it
/// would see in the whole text; only the middle, which it never reads, is dropped. Surrogate pairs are not split.
/// </summary>
public static class TextWindow
{
    public static string Clip(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxChars)
        {
            return text;
        }

        var head = maxChars / 2;
        var tailStart = text.Length - (maxChars - head);
        if (head > 0 && char.IsHighSurrogate(text[head - 1]))
        {
            head--;
        }

        if (char.IsLowSurrogate(text[tailStart]))
        {
            tailStart++;
        }

        // A space keeps the last word of the head and the first of the tail apart.
        return string.Concat(text.AsSpan(0, head), " ", text.AsSpan(tailStart));
    }
}
