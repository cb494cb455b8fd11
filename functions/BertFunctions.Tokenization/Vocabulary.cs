using System.Text;

namespace BertFunctions.Tokenization;

/// <summary>
/// A WordPiece vocabulary read as HF's <c>WordPiece::read_file</c> does: one token per line,
/// id = line number, each line trimmed at the end; a later duplicate line wins the token.
/// </summary>
internal sealed class Vocabulary
{
    internal const string ContinuationPrefix = "##";

    private readonly Dictionary<string, int> _whole;
    private readonly Dictionary<string, int> _continuations;

    private Vocabulary(string[] lines, Dictionary<string, int> whole, Dictionary<string, int> continuations)
    {
        Lines = lines;
        _whole = whole;
        _continuations = continuations;
        Whole = whole.GetAlternateLookup<ReadOnlySpan<char>>();
        Continuation = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        WholeTable = new VocabTable(whole);
        ContinuationTable = new VocabTable(continuations);
        MaxWholeLength = whole.Keys.Max(k => k.Length);
        MaxContinuationLength = continuations.Count == 0 ? 0 : continuations.Keys.Max(k => k.Length);
    }

    /// <summary>The lines of the file; the index is the id.</summary>
    internal string[] Lines { get; }

    /// <summary>Token to id, looked up by span.</summary>
    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Whole { get; }

    /// <summary>Tokens that start with <c>##</c>, keyed without the prefix, so no concatenation is needed.</summary>
    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Continuation { get; }

    /// <summary><see cref="Whole"/> keyed by <see cref="VocabTable.Hash"/>, for the WordPiece hot path.</summary>
    internal VocabTable WholeTable { get; }

    /// <summary><see cref="Continuation"/> keyed by <see cref="VocabTable.Hash"/>, for the WordPiece hot path.</summary>
    internal VocabTable ContinuationTable { get; }

    /// <summary>Longest token in UTF-16 units: no longer substring can match.</summary>
    internal int MaxWholeLength { get; }

    /// <summary>Longest continuation (without <c>##</c>) in UTF-16 units.</summary>
    internal int MaxContinuationLength { get; }

    /// <summary>Distinct tokens.</summary>
    internal int Count => _whole.Count;

    /// <summary>Token to id as a read-only map (for serialization).</summary>
    internal IReadOnlyDictionary<string, int> TokenToId => _whole;

    /// <summary>Reads a vocabulary; <paramref name="source"/> names the file in error messages.</summary>
    internal static Vocabulary Read(Stream stream, string source, IEnumerable<string> requiredTokens)
    {
        string text;
        try
        {
            // No BOM detection: HF keeps a BOM as part of the first token, and so do we.
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), false, leaveOpen: true);
            text = reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"Vocabulary '{source}' is not valid UTF-8.");
        }

        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0)
        {
            // A final newline ends the last line; it does not start an empty one (Rust BufRead::lines).
            lines = lines[..^1];
        }

        if (lines.Length == 0)
        {
            throw new InvalidDataException($"Vocabulary '{source}' is empty.");
        }

        var whole = new Dictionary<string, int>(lines.Length, OrdinalFastComparer.Instance);
        var continuations = new Dictionary<string, int>(OrdinalFastComparer.Instance);
        for (var id = 0; id < lines.Length; id++)
        {
            var token = TrimEndRust(lines[id]);
            lines[id] = token;
            whole[token] = id;
            if (token.StartsWith(ContinuationPrefix, StringComparison.Ordinal))
            {
                continuations[token[ContinuationPrefix.Length..]] = id;
            }
        }

        var missing = requiredTokens.Where(t => !whole.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"Vocabulary '{source}' lacks the special token(s) {string.Join(", ", missing)}.");
        }

        return new Vocabulary(lines, whole, continuations);
    }

    /// <summary>Rust <c>str::trim_end</c>: removes trailing White_Space characters (including the \r of CRLF).</summary>
    private static string TrimEndRust(string line)
    {
        var end = line.Length;
        while (end > 0 && CharClass.IsRustWhitespace(line[end - 1]))
        {
            end--;
        }

        return end == line.Length ? line : line[..end];
    }
}
