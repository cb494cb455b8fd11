using BertFunctions.Cli.Demo;

namespace BertFunctions.Cli.Tests;

public sealed class ClassificationScoreTests
{
    [Fact]
    public void Accuracy_and_macro_f1_match_a_hand_computed_example()
    {
        // gold:      spam spam spam ham ham
        // predicted: spam spam ham  ham spam
        // spam: tp 2, fp 1, fn 1 -> F1 = 4/6; ham: tp 1, fp 1, fn 1 -> F1 = 2/4
        var score = ClassificationScore.Of(["spam", "spam", "spam", "ham", "ham"], ["spam", "spam", "ham", "ham", "spam"]);
        Assert.Equal(0.6, score.Accuracy, 12);
        Assert.Equal(((4.0 / 6) + 0.5) / 2, score.MacroF1, 12);
    }

    [Fact]
    public void Nearest_centroid_and_knn_classify_separable_points()
    {
        float[][] train = [[1, 0], [0.9f, 0.1f], [0, 1], [0.1f, 0.9f]];
        string[] labels = ["a", "a", "b", "b"];
        float[][] test = [[0.8f, 0.2f], [0.2f, 0.8f]];
        Assert.Equal(["a", "b"], NearestNeighbours.NearestCentroid(train, labels, test));
        Assert.Equal(["a", "b"], NearestNeighbours.KNearest(train, labels, test, k: 3));
    }
}
