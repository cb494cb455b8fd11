using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BertFunctions.Tokenization;

/// <summary>
/// Read-only open-addressing table from token to id, looked up by a hash the caller already has.
/// WordPiece probes many prefixes and suffixes of each word; with the polynomial hash below the
/// pipeline gets the hash of any of them from the word's prefix hashes in O(1), so a lookup costs one
/// slot read plus one key comparison instead of a hashing pass per probe. Immutable after construction,
/// so it is safe to share across threads.
/// </summary>
internal sealed class VocabTable
{
    /// <summary>
    /// Base of the polynomial hash h(s) = sum s[k] * Base^k mod 2^64. Odd, so it has an inverse mod
    /// 2^64 and the hash of s[a..b) is (H[b] - H[a]) * Base^-a from the prefix hashes H. The summing
    /// form (not Horner) lets the collecting loop add s[k] * Base^k from a table without a
    /// multiply-latency chain per character.
    /// </summary>
    internal const ulong Base = 0x5851F42D4C957F2DUL;

    // Fibonacci hashing: the top bits of the product mix every bit of the polynomial hash.
    private const ulong Mix = 0x9E3779B97F4A7C15UL;

    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly int _shift;

    // Each key is preceded by its length in two chars (high, low), so a slot stays 16 bytes.
    private readonly char[] _keys;

    internal VocabTable(IEnumerable<KeyValuePair<string, int>> entries)
    {
        // The empty token can never be looked up (a word or piece has at least one char).
        var list = entries.Where(e => e.Key.Length > 0).ToList();

        // Load factor at most 1/2: probes rarely go past the first slot, and misses (frequent in the
        // greedy search) usually stop at an empty slot at once.
        var capacity = 16;
        while (capacity < 2 * list.Count)
        {
            capacity *= 2;
        }

        _slots = new Slot[capacity];
        _mask = capacity - 1;
        _shift = 64 - int.Log2(capacity);
        _keys = new char[list.Sum(e => e.Key.Length + 2) + 2];

        // Offset 0 marks an empty slot, so keys start at 2 (after the first length prefix).
        var offset = 2;
        foreach (var (key, id) in list)
        {
            _keys[offset - 2] = (char)(key.Length >> 16);
            _keys[offset - 1] = (char)key.Length;
            key.CopyTo(_keys.AsSpan(offset));
            var hash = Hash(key);
            var index = IndexOf(hash);
            while (_slots[index].Offset != 0)
            {
                index = (index + 1) & _mask;
            }

            _slots[index] = new Slot(hash, id, offset);
            offset += key.Length + 2;
        }
    }

    /// <summary>The hash the table is keyed by (callers usually derive it from prefix hashes instead).</summary>
    internal static ulong Hash(ReadOnlySpan<char> key)
    {
        ulong hash = 0, power = 1;
        foreach (var c in key)
        {
            hash += c * power;
            power *= Base;
        }

        return hash;
    }

    /// <summary>Base^-1 mod 2^64 (Newton iteration; each step doubles the correct low bits).</summary>
    internal static ulong InverseBase()
    {
        var inverse = Base;
        for (var i = 0; i < 6; i++)
        {
            inverse *= 2 - (Base * inverse);
        }

        return inverse;
    }

    /// <summary>The id of <paramref name="key"/>, whose <see cref="Hash"/> is <paramref name="hash"/>; -1 when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Find(ulong hash, ReadOnlySpan<char> key)
    {
        // IndexOf and the mask keep the index below the power-of-two length of _slots.
        ref var slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        var index = IndexOf(hash);
        while (true)
        {
            var slot = Unsafe.Add(ref slots, index);
            if (slot.Hash == hash && slot.Offset != 0 && Matches(slot.Offset, key))
            {
                return slot.Id;
            }

            if (slot.Offset == 0)
            {
                return -1;
            }

            index = (index + 1) & _mask;
        }
    }

    // Hashes can collide (the polynomial hash is not collision-resistant), so a match is always
    // confirmed on the characters: the output never depends on the hash.
    private bool Matches(int offset, ReadOnlySpan<char> key)
    {
        var keys = _keys;
        var length = (keys[offset - 2] << 16) | keys[offset - 1];
        return length == key.Length && keys.AsSpan(offset, length).SequenceEqual(key);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int IndexOf(ulong hash) => (int)((hash * Mix) >> _shift);

    private readonly record struct Slot(ulong Hash, int Id, int Offset);
}
