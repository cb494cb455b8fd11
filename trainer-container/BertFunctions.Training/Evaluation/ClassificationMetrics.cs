namespace BertFunctions.Training.Evaluation;

/// <summary>Precision, recall and F1 of one class.</summary>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, long Support);

/// <summary>
/// Metrics of a classifier over a split. Macro-F1 averages the F1 of the classes that occur in the labels or the
/// predictions (as scikit-learn does by default); undefined precision or recall counts as 0.
/// </summary>
/// <param name="Accuracy">Fraction predicted correctly.</param>
/// <param name="MacroF1">Unweighted mean of per-class F1.</param>
/// <param name="RocAuc">Binary tasks: area under the ROC curve of the class-1 probability (ties count one half); else null.</param>
/// <param name="PerClass">Per-class precision, recall, F1 and support.</param>
/// <param name="ConfusionMatrix">[true class][predicted class] counts.</param>
/// <param name="Count">Examples evaluated.</param>
public sealed record ClassificationMetrics(double Accuracy, double MacroF1, double? RocAuc, IReadOnlyList<ClassMetrics> PerClass, long[][] ConfusionMatrix, long Count)
{
    /// <summary>True class ids, one per example in the split's stored order (the same order for every model of the dataset's documents).</summary>
    public IReadOnlyList<int>? Labels { get; init; }

    /// <summary>Predicted class ids in the order of <see cref="Labels"/>: what a paired comparison of two models reads.</summary>
    public IReadOnlyList<int>? Predictions { get; init; }

    /// <summary>Computes the metrics.</summary>
    /// <param name="labels">True class ids.</param>
    /// <param name="predictions">Predicted class ids.</param>
    /// <param name="positiveScores">For binary tasks, the score (probability) of class 1 per example; else null.</param>
    /// <param name="classNames">Names in id order (their count is the number of classes).</param>
    public static ClassificationMetrics Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, IReadOnlyList<double>? positiveScores, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(classNames);
        if (labels.Count != predictions.Count)
        {
            throw new ArgumentException("labels and predictions differ in length", nameof(predictions));
        }

        var k = classNames.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new long[k]).ToArray();
        for (var i = 0; i < labels.Count; i++)
        {
            confusion[labels[i]][predictions[i]]++;
        }

        var perClass = new List<ClassMetrics>(k);
        var f1s = new List<double>(k);
        long correct = 0;
        for (var c = 0; c < k; c++)
        {
            var tp = confusion[c][c];
            var support = confusion[c].Sum();
            var predicted = confusion.Sum(row => row[c]);
            correct += tp;
            var precision = predicted == 0 ? 0 : (double)tp / predicted;
            var recall = support == 0 ? 0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.Add(new ClassMetrics(classNames[c], precision, recall, f1, support));
            if (support + predicted > 0)
            {
                f1s.Add(f1);
            }
        }

        var auc = k == 2 && positiveScores is not null ? RocAucOf(labels, positiveScores) : null;
        return new ClassificationMetrics(labels.Count == 0 ? 0 : (double)correct / labels.Count, f1s.Count == 0 ? 0 : f1s.Average(), auc, perClass, confusion, labels.Count);
    }

    /// <summary>
    /// ROC-AUC by ranks (Mann–Whitney U): the probability that a random positive scores above a random negative, ties
    /// counting one half, via average ranks of tied scores. Null when one class is absent.
    /// </summary>
    public static double? RocAucOf(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var average = (i + j) / 2.0 + 1; // ranks are 1-based; a tie group shares the mean of its ranks
            for (var m = i; m <= j; m++)
            {
                ranks[order[m]] = average;
            }

            i = j + 1;
        }

        long positives = labels.Count(l => l == 1), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }

        var rankSum = Enumerable.Range(0, labels.Count).Where(i => labels[i] == 1).Sum(i => ranks[i]);
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Flat metrics for events and early stopping: accuracy, macro_f1, roc_auc, precision.{label}, recall.{label}.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal) { ["accuracy"] = Accuracy, ["macro_f1"] = MacroF1 };
        if (RocAuc is { } auc)
        {
            d["roc_auc"] = auc;
        }

        foreach (var c in PerClass)
        {
            d[$"precision.{c.Label}"] = c.Precision;
            d[$"recall.{c.Label}"] = c.Recall;
        }

        return d;
    }
}
