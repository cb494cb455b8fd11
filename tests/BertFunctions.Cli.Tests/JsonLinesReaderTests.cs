using System.Text;
using BertFunctions.Cli.Io;

namespace BertFunctions.Cli.Tests;

public sealed class JsonLinesReaderTests
{
    private static async Task<List<TextRecord>> ReadAsync(byte[] input, int maxLineBytes = JsonLinesReader.DefaultMaxLineBytes)
    {
        var records = new List<TextRecord>();
        await foreach (var r in new JsonLinesReader(new MemoryStream(input), maxLineBytes).ReadAsync(TestContext.Current.CancellationToken))
        {
            records.Add(r);
        }

        return records;
    }

    private static Task<List<TextRecord>> ReadAsync(string input) => ReadAsync(Encoding.UTF8.GetBytes(input));

    [Fact]
    public async Task Reads_text_and_optional_pair_skipping_blank_lines_and_crlf()
    {
        var records = await ReadAsync("{\"text\":\"a\"}\r\n\n{\"text\":\"b\",\"text_pair\":\"c\"}\n{\"text\":\"no newline at end\"}");
        Assert.Equal(
            [new TextRecord(1, "a", null), new TextRecord(3, "b", "c"), new TextRecord(4, "no newline at end", null)],
            records);
    }

    [Fact]
    public async Task Keeps_newlines_escapes_and_non_ascii_inside_text()
    {
        var records = await ReadAsync("{\"text\":\"line1\\nline2 \\u00e9 \\ud83d\\ude00 日本\"}\n");
        Assert.Equal("line1\nline2 é 😀 日本", records.Single().Text);
    }

    [Theory]
    [InlineData("{\"text\":\"ok\"}\n{\"text\": }\n", "line 2: not valid JSON")]
    [InlineData("{\"text\":\"ok\"}\n[1,2]\n", "line 2: expected a JSON object")]
    [InlineData("{\"txt\":\"typo\"}\n", "line 1: missing field \"text\"")]
    [InlineData("{\"text\":42}\n", "line 1: field \"text\" must be a string, got a number")]
    [InlineData("{\"text\":\"a\",\"text_pair\":[]}\n", "line 1: field \"text_pair\" must be a string, got an array")]
    public async Task Malformed_lines_are_reported_with_their_line_number(string input, string expected)
    {
        var e = await Assert.ThrowsAsync<CliException>(() => ReadAsync(input));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Invalid_utf8_is_reported_with_its_line_number()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"text\":\"fine\"}\n{\"text\":\"caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray();
        var e = await Assert.ThrowsAsync<CliException>(() => ReadAsync(bytes));
        Assert.Equal("line 2: not valid UTF-8", e.Message);
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_before_it_is_buffered_whole()
    {
        var e = await Assert.ThrowsAsync<CliException>(() => ReadAsync(Encoding.UTF8.GetBytes("{\"text\":\"" + new string('x', 5000) + "\"}\n"), maxLineBytes: 1024));
        Assert.Equal("line 1: longer than 1024 bytes", e.Message);
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_on_the_first_line_is_ignored()
    {
        var records = await ReadAsync(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{\"text\":\"bom\"}\n")).ToArray());
        Assert.Equal("bom", records.Single().Text);
    }
}
