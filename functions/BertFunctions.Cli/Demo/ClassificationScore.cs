namespace BertFunctions.Cli.Demo;

/// <summary>Accuracy and macro-F1 of predictions against gold labels.</summary>
public sealed record ClassificationScore(double Accuracy, double MacroF1, int Count)
{
    public static ClassificationScore Of(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count || gold.Count == 0)
        {
            throw new ArgumentException("gold and predicted must be non-empty and of equal length");
        }

        var correct = gold.Zip(predicted).Count(p => p.First == p.Second);
        var f1s = gold.Distinct().Select(label =>
        {
            var tp = gold.Zip(predicted).Count(p => p.First == label && p.Second == label);
            var fp = gold.Zip(predicted).Count(p => p.First != label && p.Second == label);
            var fn = gold.Zip(predicted).Count(p => p.First == label && p.Second != label);
            return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
        });
        return new ClassificationScore((double)correct / gold.Count, f1s.Average(), gold.Count);
    }
}
