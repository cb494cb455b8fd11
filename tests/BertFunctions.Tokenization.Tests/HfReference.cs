namespace BertFunctions.Tokenization.Tests;

/// <summary>
/// HF's Rust tokenizers through Tokenizers.DotNet, loaded from the tokenizer.json that
/// <see cref="HfTokenizerJson"/> writes. Tokenizers.DotNet exposes only single-text encoding with
/// special tokens (no pairs, no type ids); pairs are compared through <see cref="PairReference"/>.
/// </summary>
internal sealed class HfReference : IDisposable
{
    private readonly Tokenizers.DotNet.Tokenizer _tokenizer;
    private readonly string _path;

    public HfReference(BertWordPieceTokenizer ours, int? truncateAt = null)
    {
        _path = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.json");
        using (var file = File.Create(_path))
        {
            HfTokenizerJson.Write(ours, file, truncateAt);
        }

        _tokenizer = new Tokenizers.DotNet.Tokenizer(_path);
    }

    /// <summary>Ids with [CLS] and [SEP], as HF's <c>encode(text, add_special_tokens=True)</c>.</summary>
    /// <remarks>
    /// Tokenizers.DotNet rejects lone surrogates ("Invalid UTF-16 text string"); they are replaced by
    /// U+FFFD first, which is what marshalling the string to UTF-8 for Rust does.
    /// </remarks>
    public int[] Encode(string text) => Array.ConvertAll(_tokenizer.Encode(ToValidUtf16(text)), id => checked((int)id));

    private static string ToValidUtf16(string text) =>
        !HasLoneSurrogate(text)
            ? text
            : System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _tokenizer.Dispose();
        File.Delete(_path);
    }
}

/// <summary>HF's pair encoding rebuilt from its single encodings: truncate_encodings (longest_first) then BertProcessing, written from truncation.rs.</summary>
internal static class PairReference
{
    public static (int[] Ids, int[] Types) Encode(int[] hfFirst, int[] hfSecond, int cls, int sep, int? maxLength)
    {
        // Strip the [CLS] ... [SEP] HF's single encoding added.
        var a = hfFirst[1..^1];
        var b = hfSecond[1..^1];
        if (maxLength is { } max && a.Length + b.Length > max - 3)
        {
            var budget = max - 3;
            int n1 = a.Length, n2 = b.Length;
            var swap = false;
            if (n1 > n2)
            {
                swap = true;
                (n1, n2) = (n2, n1);
            }

            if (n1 > budget)
            {
                n2 = n1;
            }
            else
            {
                n2 = Math.Max(n1, budget - n1);
            }

            if (n1 + n2 > budget)
            {
                n1 = budget / 2;
                n2 = n1 + (budget % 2);
            }

            if (swap)
            {
                (n1, n2) = (n2, n1);
            }

            a = a[..Math.Min(a.Length, n1)];
            b = b[..Math.Min(b.Length, n2)];
        }

        int[] ids = [cls, .. a, sep, .. b, sep];
        var types = new int[ids.Length];
        types.AsSpan(a.Length + 2).Fill(1);
        return (ids, types);
    }
}
