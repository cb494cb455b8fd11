using System.Text;

namespace BertFunctions.Tokenization.Tests;

/// <summary>Collects mismatches and reports the first few with both token sequences.</summary>
internal sealed class Comparison(BertWordPieceTokenizer tokenizer, string corpus)
{
    private readonly StringBuilder _report = new();

    public int Compared { get; private set; }

    public int Mismatches { get; private set; }

    public void Check(string label, string text, int[] ours, int[] hf, int[]? ourTypes = null, int[]? hfTypes = null, int[]? ourMask = null)
    {
        Compared++;
        var same = ours.AsSpan().SequenceEqual(hf)
            && (ourTypes is null || hfTypes is null || ourTypes.AsSpan().SequenceEqual(hfTypes))
            && (ourMask is null || (ourMask.Length == ours.Length && Array.TrueForAll(ourMask, m => m == 1)));
        if (same)
        {
            return;
        }

        if (++Mismatches > 5)
        {
            return;
        }

        var first = 0;
        while (first < Math.Min(ours.Length, hf.Length) && ours[first] == hf[first])
        {
            first++;
        }

        var from = Math.Max(0, first - 5);
        _report.AppendLine($"{corpus} {label}: lengths ours {ours.Length} hf {hf.Length}, first difference at {first}");
        _report.AppendLine("  ours: " + Tokens(ours, from));
        _report.AppendLine("  hf:   " + Tokens(hf, from));
        _report.AppendLine("  text: " + Escape(text, 300));
    }

    public void AssertNone() =>
        Assert.True(Mismatches == 0, $"{Mismatches} of {Compared} {corpus} encodings differ from HF:\n{_report}");

    private string Tokens(int[] ids, int from) =>
        string.Join(' ', ids.Skip(from).Take(16).Select(id => tokenizer.IdToToken(id) + "(" + id + ")"));

    private static string Escape(string text, int max)
    {
        var s = new StringBuilder();
        foreach (var c in text.AsSpan(0, Math.Min(max, text.Length)))
        {
            s.Append(c is >= ' ' and < (char)0x7F ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return s.ToString();
    }
}
