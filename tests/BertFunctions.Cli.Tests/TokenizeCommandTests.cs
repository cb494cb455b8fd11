using System.Text;
using System.Text.Json;
using BertFunctions.Modeling;

namespace BertFunctions.Cli.Tests;

public sealed class TokenizeCommandTests
{
    private static readonly string[] Vocabulary = MiniLmPretrained.ReadVocabulary().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    private static int Id(string token) => Array.IndexOf(Vocabulary, token);

    private static int[] Ints(JsonElement line, string name) => line.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public async Task Writes_one_json_line_per_input_with_ids_mask_and_type_ids()
    {
        var result = await CliRunner.RunAsync("{\"text\": \"Save $100 now!\"}\n{\"text\": \"\"}\n", "tokenize");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var lines = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, lines.Length);
        // bert-base-uncased pieces, looked up in the bundled vocabulary: "$" stays a token (Microsoft.ML.Tokenizers drops it).
        Assert.Equal([Id("[CLS]"), Id("save"), Id("$"), Id("100"), Id("now"), Id("!"), Id("[SEP]")], Ints(lines[0], "input_ids"));
        Assert.Equal([1, 1, 1, 1, 1, 1, 1], Ints(lines[0], "attention_mask"));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0], Ints(lines[0], "token_type_ids"));
        Assert.Equal([Id("[CLS]"), Id("[SEP]")], Ints(lines[1], "input_ids"));
    }

    [Fact]
    public async Task Newlines_separate_words_and_pairs_get_type_ids()
    {
        var result = await CliRunner.RunAsync("{\"text\": \"hello\\nworld\", \"text_pair\": \"again\"}\n", "tokenize");

        var line = JsonDocument.Parse(result.StdoutLines.Single()).RootElement;
        Assert.Equal([Id("[CLS]"), Id("hello"), Id("world"), Id("[SEP]"), Id("again"), Id("[SEP]")], Ints(line, "input_ids"));
        Assert.Equal([0, 0, 0, 0, 1, 1], Ints(line, "token_type_ids"));
    }

    [Fact]
    public async Task Max_length_truncates_and_no_option_means_no_truncation()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 600));
        var full = await CliRunner.RunAsync($"{{\"text\": \"{text}\"}}\n", "tokenize");
        var cut = await CliRunner.RunAsync($"{{\"text\": \"{text}\"}}\n", "tokenize", "--max-length", "16");

        var fullIds = Ints(JsonDocument.Parse(full.StdoutLines.Single()).RootElement, "input_ids");
        var cutIds = Ints(JsonDocument.Parse(cut.StdoutLines.Single()).RootElement, "input_ids");
        Assert.Equal(602, fullIds.Length);
        Assert.Equal(16, cutIds.Length);
        Assert.Equal(Id("[SEP]"), cutIds[^1]);
    }

    [Fact]
    public async Task A_vocab_file_can_replace_the_model_and_cased_keeps_case()
    {
        var vocab = Path.Combine(Path.GetTempPath(), $"bertfn-vocab-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nHello\nhello\n", TestContext.Current.CancellationToken);
        try
        {
            var cased = await CliRunner.RunAsync("{\"text\": \"Hello hello HELLO\"}\n", "tokenize", "--vocab", vocab, "--cased");
            var uncased = await CliRunner.RunAsync("{\"text\": \"Hello hello HELLO\"}\n", "tokenize", "--vocab", vocab);
            Assert.Equal([2, 5, 6, 1, 3], Ints(JsonDocument.Parse(cased.StdoutLines.Single()).RootElement, "input_ids"));
            Assert.Equal([2, 6, 6, 6, 3], Ints(JsonDocument.Parse(uncased.StdoutLines.Single()).RootElement, "input_ids"));
        }
        finally
        {
            File.Delete(vocab);
        }
    }

    [Theory]
    [InlineData("{\"text\": \"ok\"}\n{\"text\": \n", "line 2: not valid JSON")]
    [InlineData("{\"text\": \"ok\"}\n\n{\"txt\": \"x\"}\n", "line 3: missing field \"text\"")]
    [InlineData("\"just a string\"\n", "line 1: expected a JSON object")]
    public async Task Malformed_input_is_one_error_line_with_its_line_number(string stdin, string expected)
    {
        var result = await CliRunner.RunAsync(stdin, "tokenize");

        Assert.Equal(65, result.ExitCode);
        var error = result.Stderr.TrimEnd('\n');
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("bertfn: error: " + expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_utf8_input_is_refused_with_its_line_number()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"text\": \"ok\"}\n{\"text\": \"").Concat(new byte[] { 0xFF, 0xFE }).Concat(Encoding.UTF8.GetBytes("\"}\n")).ToArray();
        var result = await CliRunner.RunAsync(bytes, "tokenize");

        Assert.Equal(65, result.ExitCode);
        Assert.Equal("bertfn: error: line 2: not valid UTF-8", result.Stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData(new[] { "tokenize", "--max-length", "1" }, "--max-length must be at least 2")]
    [InlineData(new[] { "tokenize", "--vocab", "a.txt", "--model", "minilm" }, "give --model or --vocab, not both")]
    [InlineData(new[] { "tokenize", "--no-such-option" }, "Unknown option")]
    [InlineData(new[] { "no-such-command" }, "Unknown command")]
    public async Task Bad_arguments_are_usage_errors(string[] args, string expected)
    {
        var result = await CliRunner.RunAsync("", args);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_missing_vocab_file_names_the_file()
    {
        var result = await CliRunner.RunAsync("", "tokenize", "--vocab", "/no/such/vocab.txt");

        Assert.Equal(66, result.ExitCode);
        Assert.Equal("bertfn: error: vocab file '/no/such/vocab.txt' not found", result.Stderr.TrimEnd('\n'));
    }
}
