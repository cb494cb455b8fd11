namespace BertFunctions.Tokenization.Tests;

/// <summary>A small hand-written cased vocabulary, lowercase off, against HF.</summary>
public sealed class CasedParityTests
{
    [Theory]
    [InlineData(false, null)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Cased_and_other_option_combinations_match_hf(bool lowerCase, bool? stripAccents)
    {
        var tokenizer = Vocabularies.Create(Vocabularies.SmallCased(), new BertTokenizerOptions { LowerCase = lowerCase, StripAccents = stripAccents });
        using var hf = new HfReference(tokenizer);
        var comparison = new Comparison(tokenizer, $"cased lower={lowerCase} strip={stripAccents}");
        string[] texts =
        [
            "Hello World", "hello world", "HELLO", "Café École", "Cafe", "İ i İs", "Σ σ ς ΣΣ", "Straße STRASSE ẞ ß", "ab abc abcb",
            "日本 😀😀", "[MASK] mask MASK [mask]", "Hello, World! $ ?", "unaffable", "É", "e\u0301", "a\u0315\u0300b",
        ];
        foreach (var text in texts.Concat(AdversarialStrings.All()))
        {
            comparison.Check(text, text, tokenizer.Encode(text).InputIds, hf.Encode(text));
        }

        comparison.AssertNone();
    }

    [Fact]
    public void Cased_vocabulary_keeps_case()
    {
        var tokenizer = Vocabularies.Create(Vocabularies.SmallCased(), new BertTokenizerOptions { LowerCase = false });
        var ids = new List<int>();
        tokenizer.EncodeIdsInto("Hello hello Café", ids);
        Assert.Equal(["Hello", "hello", "Caf", "##é"], ids.Select(id => tokenizer.IdToToken(id)));
    }
}
