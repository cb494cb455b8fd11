using BertFunctions.Datasets;

namespace BertFunctions.Serving.Models;

/// <summary>How texts become model inputs: what the model's training examples were built with.</summary>
/// <param name="Classification">Sequence length and truncation policy.</param>
/// <param name="LowerCase">Lower-case and strip accents (the tokenizer's normalizer).</param>
/// <param name="Source">Where these came from, for logs and health: a dataset version, or why the defaults.</param>
public sealed record TokenizationSettings(ClassificationOptions Classification, bool LowerCase, string Source)
{
    /// <summary>Ingestion's defaults (ClassificationOptions, lower case), with the reason they are used.</summary>
    public static TokenizationSettings Defaults(string reason) => new(new ClassificationOptions(), true, $"defaults: {reason}");
}
