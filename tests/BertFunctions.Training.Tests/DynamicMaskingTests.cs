using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Training.Data;
using BertFunctions.Training.Engine;

namespace BertFunctions.Training.Tests;

/// <summary>Dynamic re-masking draws with the rules the dataset was ingested with, not BERT's defaults.</summary>
public sealed class DynamicMaskingTests(TrainingFixture fixture)
{
    [Fact]
    public async Task Dynamic_masking_follows_the_datasets_masking_rules_whole_word_masking_included()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await new BlobExampleSourceFactory(fixture.Blobs).OpenAsync(new DatasetReference("brown", fixture.BrownCopiesVersion), ct);
        Assert.True(source.Info.Masking.WholeWordMasking); // ingested with whole-word masking: the manifest's config says so
        var vocabulary = TokenVocabulary.Load(source.Info.Vocabulary);
        var masking = TrainingSession.DynamicMaskingFor(source.Info, "wwm-job");
        var examples = await source.ReadFirstCopyAsync(DatasetInfo.Train, ct).Take(64).ToListAsync(ct);

        var (wordsChecked, predicted) = (0, 0);
        for (var step = 0; step < 10; step++)
        {
            foreach (var (original, masked) in examples.Zip(masking.MaskBatch(examples, epoch: 0, step)))
            {
                var ids = original.UnmaskedIds();
                var chosen = masked.MaskedPositions.ToHashSet();
                predicted += chosen.Count;
                for (var p = 1; p < ids.Length; p++)
                {
                    // A piece continuing a word is predicted exactly when the piece before it is: whole words or nothing.
                    if (vocabulary.IsContinuation(ids[p]) && !vocabulary.IsSpecial(ids[p - 1]))
                    {
                        wordsChecked++;
                        Assert.True(chosen.Contains(p) == chosen.Contains(p - 1), $"step {step}: position {p} of a word split by the mask");
                    }
                }
            }
        }

        Assert.True(wordsChecked > 100, $"only {wordsChecked} multi-piece word boundaries in the sample");
        Assert.True(predicted > 640 * 3, $"{predicted} predictions in 640 masked sequences"); // (a short sequence whose words all overshoot its budget has none, as in BERT's script)
    }
}
