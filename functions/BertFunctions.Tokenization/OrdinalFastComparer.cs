using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BertFunctions.Tokenization;

/// <summary>
/// Ordinal string comparer with a cheap, non-randomized hash, usable for span lookups. The vocabulary
/// is fixed at load time, so hash flooding is not a concern, and the hash dominates WordPiece time.
/// </summary>
internal sealed class OrdinalFastComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    internal static readonly OrdinalFastComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);

    public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<char> text)
    {
        // Four chars at a time as one ulong, multiply-rotate mixing; the tail char by char.
        ulong h = (ulong)text.Length * 0x9E3779B97F4A7C15UL;
        var words = MemoryMarshal.Cast<char, ulong>(text);
        foreach (var w in words)
        {
            h = ulong.RotateLeft((h ^ w) * 0xBF58476D1CE4E5B9UL, 29);
        }

        for (var i = words.Length * 4; i < text.Length; i++)
        {
            h = ulong.RotateLeft((h ^ text[i]) * 0x94D049BB133111EBUL, 23);
        }

        h ^= h >> 32;
        return (int)h;
    }
}
