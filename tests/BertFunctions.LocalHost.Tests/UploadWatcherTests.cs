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

    [Fact]
    public void A_listing_with_a_completion_marker_signals_the_marker_wherever_it_sorts()
    {
        string? chosen = null;
        foreach (var blob in new[] { "labeled/spam/_SUCCESS", "labeled/spam/easy-ham/1.txt", "labeled/spam/spam/2.txt" })
        {
            chosen = UploadWatcher.SignalFor(chosen, blob);
        }

        Assert.Equal("labeled/spam/_SUCCESS", chosen);
        Assert.Equal("labeled/spam/spam/2.txt", UploadWatcher.SignalFor("labeled/spam/ham/1.txt", "labeled/spam/spam/2.txt"));
    }
}
