namespace BertFunctions.Training.Data;

/// <summary>What the trainer needs to know about a dataset version before reading an example.</summary>
/// <param name="Name">Dataset name.</param>
/// <param name="Version">Version id.</param>
/// <param name="IsClassification">True for labeled classification data, false for MLM pretraining data.</param>
/// <param name="Vocabulary">The bytes of the version's <c>vocab.txt</c>.</param>
/// <param name="VocabularySha256">Lower-case hex SHA-256 of <paramref name="Vocabulary"/>, as the manifest records it.</param>
/// <param name="VocabularySize">Number of ids.</param>
/// <param name="MaxSeqLen">Longest sequence in the shards.</param>
/// <param name="Labels">Class names in id order (classification), else null.</param>
/// <param name="TrainLabelCounts">Examples per class id in the train split (classification), for class weights.</param>
/// <param name="SplitExamples">Examples per split name.</param>
public sealed record DatasetInfo(
    string Name,
    string Version,
    bool IsClassification,
    byte[] Vocabulary,
    string VocabularySha256,
    int VocabularySize,
    int MaxSeqLen,
    IReadOnlyList<string>? Labels,
    IReadOnlyList<long>? TrainLabelCounts,
    IReadOnlyDictionary<string, long> SplitExamples)
{
    /// <summary>Split names as ingestion writes them.</summary>
    public const string Train = "train", Validation = "validation", Test = "test";

    /// <summary>Static masking copies stored per sequence (MLM data: the ingestion's dupe_factor); 1 for classification.</summary>
    public int MaskingCopies { get; init; } = 1;

    /// <summary>The masked-LM rules of the stored copies (MLM data), which dynamic re-masking follows.</summary>
    public Datasets.MaskingOptions Masking { get; init; } = new();

    /// <summary>Examples in <paramref name="split"/>, 0 when it does not exist.</summary>
    public long ExamplesIn(string split) => SplitExamples.TryGetValue(split, out var n) ? n : 0;
}
