using System.Security.Cryptography;
using System.Text;
using BertFunctions.Training.Data;

namespace BertFunctions.Training.Modeling;

/// <summary>
/// A model only understands the ids of the vocabulary it was trained with: refuses a dataset tokenized with another.
/// Equal SHA-256 is enough; otherwise the token lists must agree in size and on every token (line endings aside).
/// </summary>
public static class VocabularyCheck
{
    /// <summary>Throws a <see cref="TrainingFailedException"/> when the dataset's vocabulary is not the model's.</summary>
    public static void Ensure(DatasetInfo dataset, string modelVocabulary, string modelSource)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(modelVocabulary);
        var modelHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(modelVocabulary)));
        if (string.Equals(modelHash, dataset.VocabularySha256, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var modelTokens = Tokens(modelVocabulary);
        var dataTokens = Tokens(Encoding.UTF8.GetString(dataset.Vocabulary));
        if (modelTokens.Length != dataTokens.Length)
        {
            throw new TrainingFailedException($"vocabulary mismatch: dataset {dataset.Name}/{dataset.Version} has {dataTokens.Length} tokens (sha256 {dataset.VocabularySha256[..12]}), {modelSource} has {modelTokens.Length}; ingest the dataset with the base model's vocabulary");
        }

        for (var i = 0; i < modelTokens.Length; i++)
        {
            if (!string.Equals(modelTokens[i], dataTokens[i], StringComparison.Ordinal))
            {
                throw new TrainingFailedException($"vocabulary mismatch: id {i} is '{dataTokens[i]}' in dataset {dataset.Name}/{dataset.Version} but '{modelTokens[i]}' in {modelSource}; ingest the dataset with the base model's vocabulary");
            }
        }
    }

    private static string[] Tokens(string vocabulary) =>
        vocabulary.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
