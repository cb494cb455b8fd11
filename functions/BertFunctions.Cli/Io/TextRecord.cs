namespace BertFunctions.Cli.Io;

/// <summary>One input line: <c>{"text": "...", "text_pair": "..."}</c> (<c>text_pair</c> optional).</summary>
/// <param name="LineNumber">1-based line number in the input, for error messages.</param>
public sealed record TextRecord(long LineNumber, string Text, string? TextPair);
