namespace BertFunctions.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014; Vigna's reference <c>splitmix64.c</c>): the generator Vigna
/// recommends for expanding one 64-bit seed into the state of <see cref="Xoshiro256StarStar"/>.
/// </summary>
/// <param name="state">The seed; every value, including 0, is valid.</param>
public struct SplitMix64(ulong state)
{
    private ulong _state = state;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
