namespace BertFunctions.LocalHost.Tests;

/// <summary>The upload watcher lists often while uploads arrive and backs off while they are quiet.</summary>
public sealed class UploadWatcherTests
{
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(2), Longest = TimeSpan.FromSeconds(15);

    [Fact]
    public void Quiet_listings_double_the_gap_up_to_the_longest_and_a_change_resets_it()
    {
        var gaps = new List<double>();
        var delay = Shortest;
        foreach (var changed in (bool[])[true, false, false, false, false, false, true, false])
        {
            delay = UploadWatcher.NextDelay(delay, changed, Shortest, Longest);
            gaps.Add(delay.TotalSeconds);
        }

        Assert.Equal([2, 4, 8, 15, 15, 15, 2, 4], gaps);
    }

    [Fact]
    public void A_longest_gap_below_the_shortest_keeps_the_shortest()
    {
        Assert.Equal(Shortest, UploadWatcher.NextDelay(Shortest, changed: false, Shortest, TimeSpan.FromSeconds(1)));
    }
}
