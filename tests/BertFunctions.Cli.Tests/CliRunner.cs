using System.Text;

namespace BertFunctions.Cli.Tests;

/// <summary>Runs the CLI in-process with given stdin bytes and captures stdout, stderr and the exit code.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The row of a classify table for <paramref name="text"/>: its label cell and its probability cells in column
    /// order (the header row, which names every label, is not a row of results).
    /// </summary>
    public static (string Label, double[] Probabilities) ClassifiedRow(string stdout, string text)
    {
        var row = stdout.Split('\n').Single(line => line.Contains(text, StringComparison.Ordinal));
        var cells = row.Split('│', '|').Select(c => c.Trim()).Where(c => c.Length > 0).ToArray();
        Assert.Equal(text, cells[0]);
        return (cells[1], [.. cells[2..].Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture))]);
    }

    public static Task<Result> RunAsync(string stdin, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(stdin), args);

    public static async Task<Result> RunAsync(byte[] stdin, params string[] args)
    {
        using var input = new MemoryStream(stdin);
        using var output = new MemoryStream();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, input, new NonClosingStream(output), error, TestContext.Current.CancellationToken);
        return new Result(code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    /// <summary>The CLI disposes its output stream when done, as a process would; the test still reads it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
