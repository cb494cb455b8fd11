namespace BertFunctions.Benchmarks.Quantization;

/// <summary>
/// Accuracy and macro-F1 as the trainer's ClassificationMetrics defines them (F1 averaged over the classes that occur in
/// the labels or the predictions), so that the float32 figures here can be checked against docs/results.md.
/// </summary>
internal sealed record ClassificationScores(double Accuracy, double MacroF1)
{
    public static ClassificationScores Of(IReadOnlyList<int> predictions, IReadOnlyList<int> labels, int classes)
    {
        var pairs = predictions.Zip(labels).ToList();
        var f1 = Enumerable.Range(0, classes)
            .Select(c => (TruePositives: pairs.Count(p => p.First == c && p.Second == c), Predicted: pairs.Count(p => p.First == c), Actual: pairs.Count(p => p.Second == c)))
            .Where(c => c.Predicted + c.Actual > 0)
            .Select(c => 2.0 * c.TruePositives / (c.Predicted + c.Actual));
        return new ClassificationScores((double)pairs.Count(p => p.First == p.Second) / pairs.Count, f1.Average());
    }
}
