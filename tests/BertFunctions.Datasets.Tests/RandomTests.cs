namespace BertFunctions.Datasets.Tests;

public sealed class RandomTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_implementation()
    {
        // splitmix64.c with x = 0: the first output.
        var mix = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, mix.Next());
    }

    [Fact]
    public void Xoshiro256StarStar_matches_the_reference_implementation_seeded_by_splitmix64()
    {
        // Values from Vigna's xoshiro256starstar.c, state = four splitmix64 outputs from x = 42 (compiled with gcc).
        var random = new Xoshiro256StarStar(42);
        Assert.Equal(0x15780B2E0C2EC716UL, random.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, random.NextUInt64());
        Assert.Equal(0xAE17533239E499A1UL, random.NextUInt64());
    }

    [Fact]
    public void NextInt_and_NextDouble_stay_in_range_and_are_roughly_uniform()
    {
        var random = new Xoshiro256StarStar(7);
        var counts = new int[10];
        for (var i = 0; i < 100_000; i++)
        {
            counts[random.NextInt(10)]++;
            var d = random.NextDouble();
            Assert.InRange(d, 0.0, 0.9999999999999999);
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void Shuffle_is_a_permutation_and_deterministic()
    {
        int[] a = [.. Enumerable.Range(0, 100)];
        int[] b = [.. a];
        new Xoshiro256StarStar(1).Shuffle(a.AsSpan());
        new Xoshiro256StarStar(1).Shuffle(b.AsSpan());
        Assert.Equal(a, b);
        Assert.NotEqual(Enumerable.Range(0, 100), a);
        Assert.Equal(Enumerable.Range(0, 100), a.Order());
    }

    [Fact]
    public void Seed_derivation_is_stable()
    {
        // SHA-256("bertfn-datasets/v1|static|brown-v1|shard=0|copy=0"), first 8 bytes little-endian (checked with Python's hashlib).
        Assert.Equal(0xF594FA341988F888UL, Seeds.Derive("brown-v1", 0, 0));
    }

    [Fact]
    public void Seeds_differ_by_version_shard_copy_and_step()
    {
        ulong[] seeds =
        [
            Seeds.Derive("v1", 0, 0), Seeds.Derive("v1", 0, 1), Seeds.Derive("v1", 1, 0), Seeds.Derive("v2", 0, 0),
            Seeds.Derive("v1", 10, 0), Seeds.Derive("v1", 1, 00), Seeds.DeriveDynamic("v1", 0, 0), Seeds.DeriveDynamic("v1", 0, 1), Seeds.DeriveDynamic("v1", 1, 0),
        ];
        Assert.Equal(seeds.Length - 1, seeds.Distinct().Count()); // Derive("v1", 1, 00) repeats Derive("v1", 1, 0) on purpose.
    }
}
