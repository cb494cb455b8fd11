using System.Text;

namespace BertFunctions.Datasets.Tests;

public sealed class ClassificationTests
{
    private static readonly TokenVocabulary Vocabulary = TestData.Small();
    private static readonly LabelSet Labels = LabelSet.FromLabels(["spam", "ham", "spam"]);

    private static ClassificationExampleBuilder Builder(TruncationPolicy policy, int maxSeqLen = 10, double headFraction = 0.25) =>
        new(Vocabulary, Labels, new ClassificationOptions { MaxSeqLen = maxSeqLen, Truncation = policy, HeadFraction = headFraction });

    [Fact]
    public void Short_text_is_framed_and_labelled()
    {
        var example = Builder(TruncationPolicy.HeadTail).Build("The cat sat.", "spam");
        Assert.Equal([2, 5, 6, 7, 10, 3], example.InputIds);
        Assert.Equal(1, example.Label);
        Assert.Empty(example.MaskedPositions);
        Assert.Equal(-1, Builder(TruncationPolicy.Head).Build("the", null).Label);
    }

    [Fact]
    public void Head_keeps_the_first_pieces()
    {
        int[] pieces = [.. Enumerable.Range(100, 20)];
        var example = Builder(TruncationPolicy.Head).Build(pieces, 0);
        Assert.Equal([2, 100, 101, 102, 103, 104, 105, 106, 107, 3], example.InputIds);
    }

    [Fact]
    public void HeadTail_keeps_a_quarter_head_and_the_rest_tail()
    {
        int[] pieces = [.. Enumerable.Range(100, 20)];
        var example = Builder(TruncationPolicy.HeadTail).Build(pieces, 0); // budget 8: head 2 + tail 6
        Assert.Equal([2, 100, 101, 114, 115, 116, 117, 118, 119, 3], example.InputIds);
        Assert.Equal((32, 94), Builder(TruncationPolicy.HeadTail, 128).Keep(1000, 126));
        Assert.Equal((128, 382), Builder(TruncationPolicy.HeadTail, 512).Keep(1000, 510)); // Sun et al.: 128 + 382
        Assert.Equal((4, 4), Builder(TruncationPolicy.HeadTail, headFraction: 0.5).Keep(20, 8));
        Assert.Equal((5, 0), Builder(TruncationPolicy.HeadTail).Keep(5, 8));
    }

    [Fact]
    public void Unknown_label_is_a_clear_error()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Builder(TruncationPolicy.Head).Build("the cat", "eggs"));
        Assert.Contains("Unknown label 'eggs'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ham, spam", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Builder(TruncationPolicy.Head).Build([5], 2));
    }

    [Fact]
    public void LabelSet_is_sorted_ordinally_and_round_trips_as_labels_json()
    {
        var labels = LabelSet.FromLabels(["b", "B", "a", "b"]);
        Assert.Equal(["B", "a", "b"], labels.Labels);
        Assert.Equal(2, labels.IdOf("b"));
        Assert.Equal("a", labels.LabelOf(1));

        using var stream = new MemoryStream();
        labels.Write(stream);
        var json = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"label2id\"", json, StringComparison.Ordinal);
        stream.Position = 0;
        var read = LabelSet.Read(stream);
        Assert.Equal(labels.Labels, read.Labels);
    }

    [Theory]
    [InlineData("""{"labels": ["b", "a"], "label2id": {"a": 1, "b": 0}}""")]
    [InlineData("""{"labels": ["a", "b"], "label2id": {"a": 1, "b": 0}}""")]
    [InlineData("""{"labels": ["a"], "label2id": {}}""")]
    [InlineData("""{"labels": []}""")]
    [InlineData("""{"labels": [""], "label2id": {"": 0}}""")]
    [InlineData("not json")]
    public void LabelSet_rejects_inconsistent_files(string json) =>
        Assert.Throws<InvalidDataException>(() => LabelSet.Read(new MemoryStream(Encoding.UTF8.GetBytes(json))));
}
