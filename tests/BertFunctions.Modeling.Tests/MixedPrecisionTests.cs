using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

/// <summary>
/// The masked-only MLM head (the same loss and gradients as HF's full-vocabulary computation), HF's full logits when no
/// labels are given, bf16 mixed precision against float32, and the decoder tie surviving moves and casts.
/// </summary>
public sealed class MixedPrecisionTests
{
    private static Tensor Labels(Tensor ids)
    {
        var labels = full_like(ids, BertForMaskedLM.IgnoreIndex);
        foreach (var (row, col) in new[] { (0, 1), (0, 4), (1, 2), (1, 3) })
        {
            labels[row, col] = tensor(10L + (row * 7) + col);
        }

        return labels;
    }

    [Fact]
    public void Masked_only_head_gives_the_full_vocabulary_loss_and_gradients()
    {
        manual_seed(3);
        using var mlm = new BertForMaskedLM(TinyBert.Config);
        mlm.eval(); // no dropout: the two computations must see the same network
        var (ids, mask, types) = TinyBert.Batch();
        var labels = Labels(ids);

        // HF's computation: logits at every position, cross-entropy ignoring -100.
        var full = mlm.forward(ids, mask, types).Logits;                                        // (B, T, V)
        Assert.Equal([2, 9, TinyBert.Config.VocabSize], full.shape);
        var reference = nn.functional.cross_entropy(full.view(-1, full.shape[^1]), labels.view(-1), ignore_index: BertForMaskedLM.IgnoreIndex);
        reference.backward();
        var referenceGrads = mlm.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        mlm.zero_grad();

        var output = mlm.forward(ids, mask, types, labels);
        Assert.Equal([4, TinyBert.Config.VocabSize], output.Logits.shape);                      // only the 4 labelled positions
        Assert.Equal([11L, 14L, 19L, 20L], output.Labels!.data<long>().ToArray());                // row-major order
        Assert.Equal(reference.item<float>(), output.Loss!.item<float>(), 1e-5f);
        // The gathered rows are HF's logits at those positions.
        Assert.True(full[0, 4].allclose(output.Logits[1], rtol: 1e-5, atol: 1e-6));
        output.Loss.backward();
        foreach (var (name, parameter) in mlm.named_parameters())
        {
            Assert.True(parameter.grad!.allclose(referenceGrads[name], rtol: 1e-4, atol: 1e-6), name);
        }
    }

    [Fact]
    public void Bf16_keeps_float32_weights_and_gradients_and_stays_close_to_float32()
    {
        manual_seed(4);
        using var mlm = new BertForMaskedLM(TinyBert.Config);
        mlm.eval();
        var (ids, mask, types) = TinyBert.Batch();
        var labels = Labels(ids);
        var fp32 = mlm.forward(ids, mask, types, labels).Loss!.item<float>();

        MixedPrecision.SetComputeDtype(mlm, ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, MixedPrecision.ComputeDtype(mlm));
        var output = mlm.forward(ids, mask, types, labels);
        Assert.Equal(ScalarType.Float32, output.Logits.dtype);   // the loss reads float32 logits
        Assert.Equal(ScalarType.Float32, output.Loss!.dtype);
        var bf16 = output.Loss.item<float>();
        Assert.NotEqual(fp32, bf16);                               // bf16 did run (8 bits of mantissa)
        Assert.True(Math.Abs(bf16 - fp32) < 0.02 * Math.Abs(fp32), $"fp32 {fp32} vs bf16 {bf16}");
        output.Loss.backward();
        Assert.All(mlm.parameters(), p =>
        {
            Assert.Equal(ScalarType.Float32, p.dtype);             // master weights
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);       // and their gradients
        });

        using var classifier = new BertForSequenceClassification(TinyBert.Config);
        classifier.eval();
        var classLabels = tensor(new long[] { 1, 2 });
        var expected = classifier.forward(ids, mask, types, classLabels).Logits;
        MixedPrecision.SetComputeDtype(classifier, ScalarType.BFloat16);
        var actual = classifier.forward(ids, mask, types, classLabels).Logits;
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.False(actual.SameAs(expected));
        Assert.True(actual.allclose(expected, rtol: 0.05, atol: 0.02), "bf16 classifier logits far from float32's");

        MixedPrecision.SetComputeDtype(classifier, ScalarType.Float32);
        Assert.True(classifier.forward(ids, mask, types, classLabels).Logits.SameAs(expected)); // and back, exactly
    }

    [Fact]
    public void Decoder_stays_tied_to_the_word_embeddings_after_a_move_and_a_cast()
    {
        using var mlm = new BertForMaskedLM(TinyBert.Config);
        static void AssertTied(BertForMaskedLM m)
        {
            // Shared storage: a change through one name shows through the other.
            var state = m.state_dict();
            foreach (var (owner, alias) in new[] { ("bert.embeddings.word_embeddings.weight", "cls.predictions.decoder.weight"), ("cls.predictions.bias", "cls.predictions.decoder.bias") })
            {
                using var noGrad = no_grad();
                var before = state[alias].view(-1)[0].to(ScalarType.Float32).item<float>();
                state[owner].view(-1)[0].add_(1.0);
                Assert.Equal(before + 1, state[alias].view(-1)[0].to(ScalarType.Float32).item<float>(), 0.05f);
                state[owner].view(-1)[0].sub_(1.0);
            }
        }

        AssertTied(mlm);
        mlm.to(CPU);
        AssertTied(mlm);
        mlm.to(ScalarType.BFloat16);
        AssertTied(mlm);
        Assert.Equal(ScalarType.BFloat16, mlm.Cls.Predictions.Decoder.weight.dtype);
        mlm.to(ScalarType.Float32);
        AssertTied(mlm);

        // Still one tensor in training: a step on the decoder moves the embedding table.
        var (ids, mask, types) = TinyBert.Batch();
        var before = mlm.Bert.Embeddings.WordEmbeddings.weight!.clone();
        using var optimizer = optim.SGD(mlm.parameters(), 0.1);
        mlm.forward(ids, mask, types, Labels(ids)).Loss!.backward();
        optimizer.step();
        Assert.False(mlm.Bert.Embeddings.WordEmbeddings.weight!.SameAs(before));
        AssertTied(mlm);
    }
}
