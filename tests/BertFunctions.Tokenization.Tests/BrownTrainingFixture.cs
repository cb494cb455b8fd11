using System.Diagnostics;
using BertFunctions.Corpora;
using BertFunctions.Tokenization.Training;

namespace BertFunctions.Tokenization.Tests;

/// <summary>
/// Brown split by document, every 10th held out (50 documents), and a 30,000-token vocabulary trained
/// once on the other 450 for all the tests of the class.
/// </summary>
public sealed class BrownTrainingFixture
{
    public const int VocabularySize = 30_000;

    public BrownTrainingFixture()
    {
        var documents = BrownCorpus.ReadAll(CorpusLocator.Brown());
        HeldOut = [.. documents.Where((_, i) => i % 10 == 9).Select(d => d.Text)];
        TrainingTexts = [.. documents.Where((_, i) => i % 10 != 9).Select(d => d.Text)];
        Trainer = new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = VocabularySize });

        var watch = Stopwatch.StartNew();
        Counts = Trainer.CountWords(TrainingTexts);
        CountingTime = watch.Elapsed;
        watch.Restart();
        Vocabulary = Trainer.Train(Counts);
        TrainingTime = watch.Elapsed;

        Tokenizer = Vocabulary.CreateTokenizer();
        BertBaseUncased = Vocabularies.Create(Vocabularies.BertBaseUncased());
    }

    public IReadOnlyList<string> HeldOut { get; }

    public IReadOnlyList<string> TrainingTexts { get; }

    public WordPieceTrainer Trainer { get; }

    public Dictionary<string, long> Counts { get; }

    public TimeSpan CountingTime { get; }

    public TimeSpan TrainingTime { get; }

    public TrainedVocabulary Vocabulary { get; }

    public BertWordPieceTokenizer Tokenizer { get; }

    public BertWordPieceTokenizer BertBaseUncased { get; }
}
