using BertFunctions.Contracts.Storage;

namespace BertFunctions.Contracts.Tests;

public sealed class BlobNamesTests
{
    [Theory]
    [InlineData("spam")]
    [InlineData("spam-assassin-2002")]
    [InlineData("a1")]
    public void Valid_dataset_names_pass(string name) => Assert.Equal(name, BlobNames.Dataset(name));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("Spam")]
    [InlineData("-spam")]
    [InlineData("spam--x")]
    [InlineData("spam/../x")]
    [InlineData("spam x")]
    public void Invalid_dataset_names_are_refused_with_the_rule(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => BlobNames.Dataset(name));
        Assert.Contains("invalid dataset name", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam/00001.txt")]
    [InlineData("ham/deep/folder/mail.eml")]
    [InlineData("日本語/ファイル.txt")]
    [InlineData("emoji/😀.txt")]
    public void Valid_relative_paths_pass(string path) => Assert.Equal(path, BlobNames.RelativePath(path));

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("/etc/passwd", "starts with '/'")]
    [InlineData("a/../../b", "'..' segment")]
    [InlineData("a//b", "empty")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a\u0000b", "control character")]
    [InlineData("a\nb", "control character")]
    public void Dangerous_relative_paths_are_refused(string path, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => BlobNames.RelativePath(path));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate through metadata.
        var path = "a" + (char)0xD800 + "b";
        Assert.Contains("unpaired surrogate", Assert.Throws<ArgumentException>(() => BlobNames.RelativePath(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_paths_are_refused() =>
        Assert.Contains("longer than 1024", Assert.Throws<ArgumentException>(() => BlobNames.RelativePath(new string('a', 1025))).Message, StringComparison.Ordinal);

    [Fact]
    public void Layout_paths_validate_their_parts()
    {
        Assert.Equal("spam/versions/abc123/manifest.json", StorageLayout.Manifest("spam", "abc123"));
        Assert.Throws<ArgumentException>(() => StorageLayout.Manifest("spam", "../x"));
        Assert.Equal("labeled/spam/", StorageLayout.LabeledPrefix("spam"));
    }
}
