using BertFunctions.Datasets;
using BertFunctions.Modeling;
using BertFunctions.Training.Data;
using BertFunctions.Training.Evaluation;
using BertFunctions.Training.Optimization;

namespace BertFunctions.Training.Tests;

public sealed class UnitTests
{
    private static readonly BertConfig Tiny = new() { VocabSize = 100, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64 };

    [Fact]
    public void Weight_decay_applies_to_matrices_only_biases_and_LayerNorm_weights_are_excluded()
    {
        using var model = new BertForMaskedLM(Tiny);
        var groups = WeightDecayGroups.Split(model.named_parameters());

        Assert.All(groups.Decay, p => Assert.True(p.Name.EndsWith(".weight", StringComparison.Ordinal) && !p.Name.Contains("LayerNorm", StringComparison.Ordinal), p.Name));
        Assert.All(groups.NoDecay, p => Assert.True(p.Name.EndsWith("bias", StringComparison.Ordinal) || p.Name.EndsWith("LayerNorm.weight", StringComparison.Ordinal), p.Name));
        // 3 embedding tables + 2 layers x 6 dense weights + the MLM transform's dense weight; the tied decoder is not listed twice.
        Assert.Equal(16, groups.Decay.Count);
        // Embedding LayerNorm (2) + 2 layers x (6 biases + 2 LayerNorms x 2) + transform bias, its LayerNorm (2) and the vocabulary bias.
        Assert.Equal(26, groups.NoDecay.Count);
        Assert.Equal(model.parameters().Sum(p => p.numel()), groups.DecayElements + groups.NoDecayElements);
    }

    [Fact]
    public void Learning_rate_warms_up_linearly_then_decays_linearly()
    {
        var s = LinearWarmupDecay.FromRatio(1e-3, 0.1, 100);
        Assert.Equal(10, s.WarmupSteps);
        Assert.Equal(1e-4, s.At(0), 12);
        Assert.Equal(5e-4, s.At(4), 12);
        Assert.Equal(1e-3, s.At(9), 12);
        Assert.Equal(1e-3, s.At(10), 12);
        Assert.Equal(1e-3 * 45 / 90, s.At(55), 12);
        Assert.Equal(1e-3 / 90, s.At(99), 12);
        Assert.Equal(2e-5, new LinearWarmupDecay(2e-5, 0, 10).At(0), 12);
    }

    [Fact]
    public void Classification_metrics_match_hand_computed_values()
    {
        int[] truth = [0, 0, 1, 1, 2, 2];
        int[] predicted = [0, 1, 1, 1, 2, 0];
        var m = ClassificationMetrics.Compute(truth, predicted, null, ["a", "b", "c"]);

        Assert.Equal(4.0 / 6, m.Accuracy, 12);
        // F1: a = 0.5 (P 1/2, R 1/2), b = 0.8 (P 2/3, R 1), c = 2/3 (P 1, R 1/2).
        Assert.Equal((0.5 + 0.8 + 2.0 / 3) / 3, m.MacroF1, 12);
        Assert.Equal(2.0 / 3, m.PerClass[1].Precision, 12);
        Assert.Equal(0.5, m.PerClass[2].Recall, 12);
        Assert.Equal([[1L, 1, 0], [0L, 2, 0], [1L, 0, 1]], m.ConfusionMatrix);
        Assert.Null(m.RocAuc);
    }

    [Fact]
    public void Roc_auc_counts_ties_as_one_half()
    {
        // Positives 0.8, 0.4, 0.4; negatives 0.4, 0.2: of 6 pairs, 4 are won and 2 tied -> 5/6.
        Assert.Equal(5.0 / 6, ClassificationMetrics.RocAucOf([1, 1, 1, 0, 0], [0.8, 0.4, 0.4, 0.4, 0.2])!.Value, 12);
        Assert.Equal(0.5, ClassificationMetrics.RocAucOf([1, 0], [0.3, 0.3])!.Value, 12);
        Assert.Null(ClassificationMetrics.RocAucOf([1, 1], [0.3, 0.4]));
        var binary = ClassificationMetrics.Compute([1, 0, 1, 0], [1, 0, 0, 0], [0.9, 0.1, 0.4, 0.3], ["no", "yes"]);
        Assert.Equal(1.0, binary.RocAuc!.Value, 12);
    }

    [Fact]
    public void Perplexity_is_exp_of_the_mean_masked_token_loss()
    {
        var m = MlmMetrics.FromSums(lossSum: 2.0 * 10 + 4.0 * 30, maskedTokens: 40, correct: 10);
        Assert.Equal(3.5, m.Loss, 12);
        Assert.Equal(Math.Exp(3.5), m.Perplexity, 9);
        Assert.Equal(0.25, m.Accuracy, 12);
    }

    [Fact]
    public void Batches_are_padded_to_the_longest_sequence_with_labels_only_at_masked_positions()
    {
        var collator = new BatchCollator(padId: 0, classification: false);
        var batch = collator.Collate([new TrainingExample([2, 9, 4, 3], [1], [7], -1), new TrainingExample([2, 3], [], [], -1)], new DataPosition(0, 2));

        Assert.Equal((2, 4), (batch.Size, batch.Length));
        Assert.Equal([2L, 9, 4, 3, 2, 3, 0, 0], batch.InputIds);
        Assert.Equal([1L, 1, 1, 1, 1, 1, 0, 0], batch.AttentionMask);
        Assert.Equal([-100L, 7, -100, -100, -100, -100, -100, -100], batch.MlmLabels!);
        Assert.Equal(6, batch.Tokens);
    }
}
