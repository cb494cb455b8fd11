using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace BertFunctions.Training.Baselines;

/// <summary>One labeled text as ML.NET reads it: <see cref="Label"/> is our label id.</summary>
public sealed class BaselineRow
{
    public string Text { get; set; } = "";

    public uint Label { get; set; }
}

/// <summary>
/// What a practitioner tries before any BERT: TF-IDF features of word unigrams and bigrams and character 4-grams,
/// L2-normalised, into multinomial logistic regression (L-BFGS, L2 penalty), all from ML.NET: scikit-learn's usual
/// text-classification starting point (TfidfVectorizer + LogisticRegression), untuned, as a first try would be.
/// </summary>
public sealed class TfIdfBaseline
{
    private readonly MLContext ml;
    private readonly ITransformer model;
    private readonly DataViewSchema inputSchema;
    private readonly int labelCount;

    private TfIdfBaseline(MLContext ml, ITransformer model, DataViewSchema inputSchema, int labelCount)
    {
        this.ml = ml;
        this.model = model;
        this.inputSchema = inputSchema;
        this.labelCount = labelCount;
    }

    /// <summary>Fits the pipeline on <paramref name="texts"/> with label ids in [0, <paramref name="labelCount"/>).</summary>
    public static TfIdfBaseline Fit(IReadOnlyList<(string Text, int Label)> texts, int labelCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var ml = new MLContext(seed);
        var train = Load(ml, texts);
        var features = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepDiacritics = false,
            KeepPunctuations = true,
            KeepNumbers = true,
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf },
            CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = false, Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf },
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        };
        // The label becomes a key whose order is our label ids (keyData lists them in order), so score slot k is label k.
        var keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, labelCount).Select(k => new KeyRow { Label = (uint)k }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey(nameof(BaselineRow.Label), keyData: keys)
            .Append(ml.Transforms.Text.FeaturizeText("Features", features, nameof(BaselineRow.Text)))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = nameof(BaselineRow.Label),
                FeatureColumnName = "Features",
                // scikit-learn LogisticRegression's default: an L2 penalty with C = 1 on the summed loss, no L1
                // (ML.NET's own default adds an L1 term of 1).
                L2Regularization = 1f,
                L1Regularization = 0,
            }));
        return new TfIdfBaseline(ml, pipeline.Fit(train), train.Schema, labelCount);
    }

    /// <summary>Class probabilities per text, indexed by our label id.</summary>
    public IReadOnlyList<double[]> Predict(IReadOnlyList<(string Text, int Label)> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var scored = model.Transform(Load(ml, texts));
        // Score slot k belongs to key k + 1, which maps to our label id k (keyData fixed the order).
        var scores = scored.GetColumn<float[]>("Score").Select(s => s.Select(p => (double)p).ToArray()).ToList();
        if (scores.Exists(s => s.Length != labelCount))
        {
            throw new InvalidOperationException($"the baseline scored {scores.Find(s => s.Length != labelCount)!.Length} classes, not {labelCount}");
        }

        return scores;
    }

    /// <summary>Writes the fitted pipeline as an ML.NET model zip (loadable with <c>MLContext.Model.Load</c>).</summary>
    public void Save(string path) => ml.Model.Save(model, inputSchema, path);

    private static IDataView Load(MLContext ml, IReadOnlyList<(string Text, int Label)> texts) =>
        ml.Data.LoadFromEnumerable(texts.Select(t => new BaselineRow { Text = t.Text, Label = (uint)t.Label }));

    private sealed class KeyRow
    {
        public uint Label { get; set; }
    }
}
