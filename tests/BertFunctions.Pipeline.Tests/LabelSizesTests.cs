using System.Text.Json;
using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Pipeline.Tests;

/// <summary>A label too small for every split to get one of its documents is refused by name, before anything trains.</summary>
public sealed class LabelSizesTests
{
    [Fact]
    public void With_the_default_ratios_a_label_needs_three_documents_one_per_split()
    {
        Assert.Equal(3, LabelSizes.MinimumPerLabel(new SplitRatios()));
        Assert.Equal(3, LabelSizes.MinimumPerLabel(new SplitRatios(0.9, 0, 0.1))); // as the split has it: below 3 documents a label goes wholly to train
        Assert.Equal(1, LabelSizes.MinimumPerLabel(new SplitRatios(1, 0, 0)));

        // The check agrees with the split itself: at the minimum every split gets one, one below it some split gets none.
        foreach (var ratios in (SplitRatios[])[new(), new(0.9, 0, 0.1), new(0.6, 0.2, 0.2)])
        {
            var minimum = LabelSizes.MinimumPerLabel(ratios);
            Assert.All(Split(minimum, ratios), n => Assert.True(n > 0, $"{ratios}: {minimum} documents"));
            Assert.Contains(0, Split(minimum - 1, ratios));
        }
    }

    [Fact]
    public void The_sizes_the_check_reads_are_what_the_split_assigns()
    {
        foreach (var ratios in (SplitRatios[])[new(), new(0.9, 0, 0.1), new(0.2, 0.4, 0.4)])
        {
            for (var n = 1; n <= 12; n++)
            {
                var assigned = SplitAssigner.Assign([.. Enumerable.Range(0, n).Select(i => ($"{i:x8}", (string?)"x"))], ratios);
                Assert.Equal((assigned.Count(s => s == Splits.Train), assigned.Count(s => s == Splits.Validation), assigned.Count(s => s == Splits.Test)), SplitAssigner.Sizes(n, ratios));
            }
        }
    }

    [Fact]
    public void The_message_names_every_small_label_with_its_count_and_what_is_needed()
    {
        var counts = new Dictionary<string, int> { ["ham"] = 500, ["phishing"] = 2, ["scam"] = 1, ["spam"] = 3 };

        var problem = LabelSizes.Problem("mail", counts, new SplitRatios());

        Assert.Equal(
            "dataset 'mail': label 'scam' has 1 document, label 'phishing' has 2 documents, after duplicates are removed; each label needs at least 3 (so that train, validation and test each get one): add examples, or merge or drop the label",
            problem);
        Assert.Null(LabelSizes.Problem("mail", new Dictionary<string, int> { ["ham"] = 3, ["spam"] = 3 }, new SplitRatios()));
        Assert.Contains("needs at least 3 (so that train and test each get one)", LabelSizes.Problem("mail", counts, new SplitRatios(0.9, 0, 0.1)), StringComparison.Ordinal);
    }

    [Fact]
    public void Many_small_labels_are_named_ten_at_most()
    {
        var counts = Enumerable.Range(0, 14).ToDictionary(i => $"topic-{i:D2}", _ => 1);

        var problem = LabelSizes.Problem("topics", counts, new SplitRatios())!;

        Assert.Contains("label 'topic-09' has 1 document (and 4 more labels)", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("topic-10", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingesting_a_labeled_set_with_a_label_of_two_documents_fails_before_any_shard_with_that_message()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();

        // 20 reviews each of two labels, and two documents of a third (a duplicate of one of them does not count twice).
        var rows = Enumerable.Range(0, 40).Select(i => (Text: $"review number {i}: the product was {(i % 2 == 0 ? "great" : "terrible")}", Label: i % 2 == 0 ? "positive" : "negative"))
            .Concat([(Text: "the product was fine, I suppose", Label: "neutral"), (Text: "neither good nor bad", Label: "neutral"), (Text: "neither good nor bad", Label: "neutral")]);
        await azurite.UploadAsync("labeled/uneven/rows.jsonl", string.Concat(rows.Select(r => JsonSerializer.Serialize(new { text = r.Text, label = r.Label }) + "\n")));

        var e = await Assert.ThrowsAsync<IngestionException>(() => azurite.Runner().RunAsync(
            new IngestionRequest { Dataset = "uneven", Kind = DatasetKind.Classification, Reading = new IngestionOptions { Labeled = true } }, null, ct));

        Assert.Equal("dataset 'uneven': label 'neutral' has 2 documents, after duplicates are removed; each label needs at least 3 (so that train, validation and test each get one): add examples, or merge or drop the label", e.Message);
    }

    /// <summary>How many of n documents of one label each split asked for gets.</summary>
    private static int[] Split(int n, SplitRatios ratios)
    {
        var assigned = SplitAssigner.Assign([.. Enumerable.Range(0, n).Select(i => ($"{i:x8}", (string?)"x"))], ratios);
        return [assigned.Count(s => s == Splits.Train), .. ratios.Validation > 0 ? [assigned.Count(s => s == Splits.Validation)] : Array.Empty<int>(), .. ratios.Test > 0 ? [assigned.Count(s => s == Splits.Test)] : Array.Empty<int>()];
    }
}
