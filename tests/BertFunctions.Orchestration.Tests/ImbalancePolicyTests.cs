using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;

namespace BertFunctions.Orchestration.Tests;

/// <summary>Imbalanced labels: found from the training split's counts at the documented threshold, and class weights only where the request is silent.</summary>
public sealed class ImbalancePolicyTests
{
    private static Dictionary<string, long> Counts(params (string Label, long Count)[] counts) => counts.ToDictionary(c => c.Label, c => c.Count);

    [Theory]
    [InlineData(299, 100, false)]
    [InlineData(300, 100, true)] // the threshold, 3:1, is imbalanced
    [InlineData(100, 100, false)]
    [InlineData(721, 56, true)]
    public void A_split_is_imbalanced_from_three_to_one(long largest, long smallest, bool imbalanced)
    {
        var found = ImbalancePolicy.Assess(Counts(("a", largest), ("b", smallest), ("c", (largest + smallest) / 2)), requested: null);

        Assert.Equal(imbalanced, found is not null);
        Assert.Equal(3, LabelImbalance.Threshold);
    }

    [Fact]
    public void The_note_names_the_largest_and_smallest_labels_and_the_default_turns_class_weights_on()
    {
        var found = ImbalancePolicy.Assess(Counts(("learned", 721), ("humor", 82), ("science-fiction", 56)), requested: null)!;

        Assert.Equal(("learned", 721L, "science-fiction", 56L, 12.88), (found.Largest, found.LargestCount, found.Smallest, found.SmallestCount, found.Ratio));
        Assert.Equal(ImbalancePolicy.DefaultClassWeights, found.ClassWeights);
        Assert.False(found.Requested);
        Assert.StartsWith("imbalanced labels in the training split: learned 721 to science-fiction 56 (12.9:1, threshold 3:1); class-weighted loss ", found.Note, StringComparison.Ordinal);
        Assert.Equal(ImbalancePolicy.DefaultClassWeights, ImbalancePolicy.ClassWeights(null, found));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_class_weights_setting_in_the_request_is_kept_and_the_note_says_it_was_asked_for(bool requested)
    {
        var found = ImbalancePolicy.Assess(Counts(("ham", 900), ("spam", 100)), requested)!;

        Assert.Equal((requested, true), (found.ClassWeights, found.Requested));
        Assert.EndsWith("as requested", found.Note, StringComparison.Ordinal);
        Assert.Equal(requested, ImbalancePolicy.ClassWeights(requested, found));
    }

    [Fact]
    public void Balanced_unknown_or_single_label_splits_are_not_imbalanced_and_train_as_requested()
    {
        Assert.Null(ImbalancePolicy.Assess(Counts(("ham", 250), ("spam", 100)), null));
        Assert.Null(ImbalancePolicy.Assess(null, null)); // a run started before the counts were recorded
        Assert.Null(ImbalancePolicy.Assess(Counts(("ham", 250)), null));
        Assert.False(ImbalancePolicy.ClassWeights(null, null));
        Assert.True(ImbalancePolicy.ClassWeights(true, null)); // a user's setting holds on balanced labels too
    }

    [Fact]
    public void A_label_without_training_examples_is_imbalanced_and_ties_are_broken_by_name()
    {
        var found = ImbalancePolicy.Assess(Counts(("b", 10), ("a", 10), ("z", 0)), null)!;

        Assert.Equal(("a", "z", 10.0), (found.Largest, found.Smallest, found.Ratio));
    }
}
