using System.Text;

namespace BertFunctions.Tokenization.Tests;

/// <summary>Our encodings equal HF's on hostile inputs and on every BMP code point.</summary>
public sealed class AdversarialParityTests(ParityFixture fixture) : IClassFixture<ParityFixture>
{
    private readonly BertWordPieceTokenizer _tokenizer = fixture.Tokenizer;

    public static TheoryData<string> Hostile() => new(AdversarialStrings.All());

    [Fact]
    public void Every_adversarial_string_matches_hf()
    {
        var comparison = new Comparison(_tokenizer, "adversarial");
        var all = AdversarialStrings.All();
        for (var i = 0; i < all.Count; i++)
        {
            comparison.Check($"#{i}", all[i], _tokenizer.Encode(all[i]).InputIds, fixture.Hf.Encode(all[i]));
            comparison.Check($"#{i}@128", all[i], _tokenizer.Encode(all[i], maxLength: 128).InputIds, fixture.HfTruncated.Encode(all[i]));
        }

        comparison.AssertNone();
    }

    [Fact]
    public void Every_bmp_code_point_matches_hf_alone_inside_a_word_and_in_runs()
    {
        var comparison = new Comparison(_tokenizer, "bmp sweep");
        const int Chunk = 128;
        for (var start = 0; start < 0x10000; start += Chunk)
        {
            var wrapped = new StringBuilder();
            var run = new StringBuilder();
            for (var c = start; c < start + Chunk; c++)
            {
                // "a" + c + "b ": shows whether c is dropped, splits, is isolated or joins the word.
                wrapped.Append('a').Append((char)c).Append("B ");
                run.Append((char)c);
            }

            foreach (var text in new[] { wrapped.ToString(), run.ToString(), "é" + run + "x" })
            {
                comparison.Check($"U+{start:X4}..U+{start + Chunk - 1:X4}", text, _tokenizer.Encode(text).InputIds, fixture.Hf.Encode(text));
            }
        }

        comparison.AssertNone();
    }

    [Fact]
    public void Supplementary_planes_match_hf()
    {
        var comparison = new Comparison(_tokenizer, "supplementary sweep");
        var points = Enumerable.Range(0x10000, 0x10000)
            .Concat(Enumerable.Range(0x20000, 0x10000).Where(c => c % 13 == 0 || c % 0x1000 < 4 || c % 0x1000 > 0xFFC))
            .Concat(Enumerable.Range(0x2A6D0, 0x60)).Concat(Enumerable.Range(0x2B730, 0x20)).Concat(Enumerable.Range(0x2B810, 0x20))
            .Concat(Enumerable.Range(0x2B910, 0x20)).Concat(Enumerable.Range(0x2CEA0, 0x20)).Concat(Enumerable.Range(0x2F7F0, 0x240))
            .Concat(Enumerable.Range(0x30000, 0x400)).Concat(Enumerable.Range(0xE0000, 0x200))
            .Concat(Enumerable.Range(0xF0000, 0x10)).Concat(Enumerable.Range(0x10FFF0, 0x10)).ToArray();
        foreach (var chunk in points.Chunk(128))
        {
            var wrapped = new StringBuilder();
            foreach (var c in chunk)
            {
                wrapped.Append('a').Append(char.ConvertFromUtf32(c)).Append("B ");
            }

            var text = wrapped.ToString();
            comparison.Check($"U+{chunk[0]:X5}..U+{chunk[^1]:X5}", text, _tokenizer.Encode(text).InputIds, fixture.Hf.Encode(text));
        }

        comparison.AssertNone();
    }

    [Fact]
    public void Lone_surrogates_match_hf()
    {
        var comparison = new Comparison(_tokenizer, "surrogates");
        for (var c = 0xD800; c < 0xE000; c += 0x3F)
        {
            foreach (var text in new[] { $"a{(char)c}b", $"{(char)c}", $"x {(char)c} y", $"ab{(char)c}\uDC00cd", $"\uD83D{(char)c}" })
            {
                comparison.Check($"U+{c:X4}", text, _tokenizer.Encode(text).InputIds, fixture.Hf.Encode(text));
            }
        }

        comparison.AssertNone();
    }
}
