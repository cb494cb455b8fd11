namespace BertFunctions.Cli.Demo;

/// <summary>
/// Two classifiers that use the embeddings as they are, with nothing trained: the nearest class centroid
/// and a k-nearest-neighbour vote by cosine similarity. They show how much the pretrained encoder already
/// separates the classes before any fine-tuning.
/// </summary>
public static class NearestNeighbours
{
    /// <summary>Predicts the label whose (normalised) mean training embedding is most similar.</summary>
    public static string[] NearestCentroid(IReadOnlyList<float[]> train, IReadOnlyList<string> trainLabels, IReadOnlyList<float[]> test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        var centroids = trainLabels.Distinct().Order(StringComparer.Ordinal).Select(label =>
        {
            var sum = new float[train[0].Length];
            for (var i = 0; i < train.Count; i++)
            {
                if (trainLabels[i] == label)
                {
                    for (var d = 0; d < sum.Length; d++)
                    {
                        sum[d] += train[i][d];
                    }
                }
            }

            return (Label: label, Centroid: Normalize(sum));
        }).ToList();

        return test.Select(x => centroids.MaxBy(c => Dot(c.Centroid, x)).Label).ToArray();
    }

    /// <summary>Majority label among the <paramref name="k"/> most similar training embeddings (ties: the most similar wins).</summary>
    public static string[] KNearest(IReadOnlyList<float[]> train, IReadOnlyList<string> trainLabels, IReadOnlyList<float[]> test, int k)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        return test.Select(x =>
        {
            var nearest = Enumerable.Range(0, train.Count)
                .Select(i => (Label: trainLabels[i], Similarity: Dot(train[i], x)))
                .OrderByDescending(n => n.Similarity)
                .Take(k)
                .ToList();
            return nearest.GroupBy(n => n.Label)
                .OrderByDescending(g => g.Count())
                .ThenByDescending(g => g.Max(n => n.Similarity))
                .First().Key;
        }).ToArray();
    }

    private static float Dot(float[] a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static float[] Normalize(float[] v)
    {
        var norm = MathF.Sqrt(Dot(v, v));
        return norm > 0 ? v.Select(x => x / norm).ToArray() : v;
    }
}
