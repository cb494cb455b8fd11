using System.Text;

namespace BertFunctions.Tokenization.Tests;

/// <summary>Inputs chosen to break tokenizers: scripts, marks, controls, special tokens, extremes.</summary>
internal static class AdversarialStrings
{
    public static IReadOnlyList<string> All()
    {
        var list = new List<string>
        {
            string.Empty, " ", "   \t\n\r  ", "\u00A0\u2003\u3000", "\n\n\n",
            "Hello, World!", "HELLO world", "unaffable", "un-affable's", "naïve café résumé",
            "👍", "👨‍👩‍👧‍👦 family", "👍🏽 thumbs", "🏳️‍🌈 flag", "I ❤️ NY", "😀😃😄😁", "a😀b", "🇺🇸🇫🇷",
            "e\u0301 a\u0300\u0301 o\u0308\u0304 \u0041\u030A", "a\u0315\u0300b", "a\u0315\u200B\u0300b", "a\u0315\u0001\u0300b", "\u0301\u0301\u0301",
            "한국어 텍스트 입니다", "\u1100\u1161\u11A8", "日本語のテキストです。カタカナ ｶﾀｶﾅ", "中文文本，包括标点。", "𠀀𠀁𪛖 𫝀 𰀀 丽",
            "مرحبا بالعالم", "שלום עולם", "ﷺ ﷻ", "हिन्दी पाठ", "ภาษาไทย", "Ελληνικά ΣΊΣΥΦΟΣ σς",
            "zero\u200Bwidth\u200Cjoin\u200Dx", "bidi \u202Eevil\u202C \u2066iso\u2069 \u200E\u200F", "soft\u00ADhyphen", "bom\uFEFFinside",
            "nbsp\u00A0here", "nel\u0085here", "mongolian\u180Evowel", "line\u2028sep\u2029para", "ogham\u1680space", "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F",
            "ctrl\u0001\u0002\u0007\u001B\u007F\u0080\u009Fchars", "vt\u000Bff\u000Cfs\u001Cgs\u001Dus\u001F", "nul\0byte", "repl\uFFFDchar", "private\uE000use\uF8FF",
            "lone \uD800 high", "lone \uDC00 low", "reversed \uDC00\uD800 pair", "end high\uD83D", "\uDE00start low",
            "[CLS] [SEP] [MASK] [PAD] [UNK]", "a[MASK]b", "[mask] [Mask] [ MASK ]", "[[MASK]]", "[MASK[SEP]]", "x[CLS", "[SEP][SEP][SEP]", "[UNK]unk", "the [MASK] is [MASK].",
            "É İ ẞ Σ ΣΑΣ Ω K Å", "İstanbul İİİ", "STRASSE straße ß", "ǅ ǈ ǋ ǲ", "ﬁ ﬂ ﬃ", "Ⅻ ⅻ", "Ａｂｃ ＡＢＣ １２３", "㍿ ㌀",
            "$100 + 5 < 7 = > ^ | ~ © ° ± × ÷ ¬ µ ¶ § ¿ ¡", "`backtick` \"quotes\" 'single' «guillemets» „low“ ‹a›", "… — – ‐ ‒ ⁇ ‼ ※",
            "email@example.com http://x.y/z?q=1&r=2#frag", "C++ C# F# .NET node.js", "3.14159 1,000,000 -42 1e-10",
            new string('a', 100), new string('a', 101), new string('x', 10_000), "ab" + new string('é', 99), "ab" + new string('é', 98),
            string.Concat(Enumerable.Repeat("😀", 100)), string.Concat(Enumerable.Repeat("😀", 101)), "a" + string.Concat(Enumerable.Repeat("\u0301", 150)),
            string.Concat(Enumerable.Repeat("supercalifragilistic", 6)), string.Concat(Enumerable.Repeat("word ", 300)),
        };

        var ascii = new StringBuilder();
        for (var c = 0; c < 128; c++)
        {
            ascii.Append((char)c);
            list.Add("a" + (char)c + "b");
        }

        list.Add(ascii.ToString());
        list.Add(string.Join(' ', Enumerable.Range(0, 128).Select(c => ((char)c).ToString())));
        return list;
    }
}
