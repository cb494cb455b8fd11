using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

public sealed class BertModelTests
{
    private static readonly float[] ClassWeights = [1f, 2f, 0.5f];

    [Fact]
    public void State_dict_keys_are_exactly_hf_names()
    {
        using var model = new BertModel(TinyBert.Config);
        Assert.Equal(TinyBert.BertModelKeys(2, pooler: true).Order(), model.state_dict().Keys.Order());

        using var noPooler = new BertModel(TinyBert.Config, addPoolingLayer: false);
        Assert.Equal(TinyBert.BertModelKeys(2, pooler: false).Order(), noPooler.state_dict().Keys.Order());

        using var mlm = new BertForMaskedLM(TinyBert.Config);
        Assert.Equal(TinyBert.MaskedLMSavedKeys(2).Concat(["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"]).Order(), mlm.state_dict().Keys.Order());

        using var classifier = new BertForSequenceClassification(TinyBert.Config);
        Assert.Equal(TinyBert.ClassificationKeys(2).Order(), classifier.state_dict().Keys.Order());
        Assert.Equal([3, 32], classifier.state_dict()["classifier.weight"].shape);
    }

    [Fact]
    public void Initialisation_follows_hf()
    {
        var config = TinyBert.Config with { HiddenSize = 64, IntermediateSize = 256, VocabSize = 3000, NumAttentionHeads = 4 };
        using var model = new BertModel(config);
        var sd = model.state_dict();
        var word = sd["embeddings.word_embeddings.weight"];
        Assert.Equal(0, word[0].abs().max().item<float>());                       // padding row
        Assert.InRange(word[1..].std().item<float>(), 0.019, 0.021);               // N(0, 0.02)
        Assert.InRange(sd["encoder.layer.0.intermediate.dense.weight"].std().item<float>(), 0.019, 0.021);
        Assert.Equal(0, sd["encoder.layer.0.attention.self.query.bias"].abs().max().item<float>());
        Assert.True(sd["encoder.layer.1.output.LayerNorm.weight"].eq(1).all().item<bool>());
        Assert.Equal(0, sd["embeddings.LayerNorm.bias"].abs().max().item<float>());
    }

    [Fact]
    public void Mlm_decoder_weight_shares_storage_with_word_embeddings()
    {
        using var mlm = new BertForMaskedLM(TinyBert.Config);
        var sd = mlm.state_dict();
        var embedding = sd["bert.embeddings.word_embeddings.weight"];
        var decoder = sd["cls.predictions.decoder.weight"];
        Assert.Equal(embedding.storage<float>().data_ptr(), decoder.storage<float>().data_ptr());
        Assert.Equal(sd["cls.predictions.bias"].storage<float>().data_ptr(), sd["cls.predictions.decoder.bias"].storage<float>().data_ptr());
        using (no_grad())
        {
            embedding[7, 3] = tensor(42f);
        }

        Assert.Equal(42f, decoder[7, 3].item<float>());

        // The optimiser must see each tensor once, or AdamW would update the tied weight twice per step.
        var parameters = mlm.parameters().ToList();
        Assert.Equal(parameters.Count, parameters.Select(p => p.storage<float>().data_ptr()).Distinct().Count());
    }

    [Fact]
    public void Masked_lm_loss_decreases_with_adamw_on_a_fixed_batch()
    {
        torch.manual_seed(1);
        using var mlm = new BertForMaskedLM(TinyBert.Config);
        mlm.train();
        var (ids, mask, types) = TinyBert.Batch();
        var labels = full_like(ids, BertForMaskedLM.IgnoreIndex);
        labels[0, 3] = ids[0, 3].clone();
        labels[1, 2] = ids[1, 2].clone();
        var masked = ids.clone();
        masked[0, 3] = tensor(4L);
        masked[1, 2] = tensor(4L);
        using var optimizer = optim.AdamW(mlm.parameters(), lr: 3e-3);
        var losses = new List<float>();
        for (var step = 0; step < 12; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = mlm.forward(masked, mask, types, labels).Loss!;
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses[^1] < losses[0] * 0.75, $"loss {losses[0]} -> {losses[^1]}");
    }

    [Fact]
    public void Classifier_with_class_weights_trains_and_returns_logits_per_label()
    {
        torch.manual_seed(2);
        using var classifier = new BertForSequenceClassification(TinyBert.Config, ClassWeights);
        var (ids, mask, types) = TinyBert.Batch();
        var labels = tensor(new long[] { 1, 2 });
        using var optimizer = optim.AdamW(classifier.parameters(), lr: 1e-3);
        float first = 0, last = 0;
        for (var step = 0; step < 10; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var output = classifier.forward(ids, mask, types, labels);
            Assert.Equal([2, 3], output.Logits.shape);
            output.Loss!.backward();
            optimizer.step();
            last = output.Loss.item<float>();
            if (step == 0)
            {
                first = last;
            }
        }

        Assert.True(last < first, $"loss {first} -> {last}");
    }

    [Fact]
    public void Fully_padded_rows_and_padded_positions_give_no_nan_forward_or_backward()
    {
        using var mlm = new BertForMaskedLM(TinyBert.Config);
        var (ids, mask, types) = TinyBert.Batch();
        mask[1] = zeros(9, dtype: ScalarType.Int64); // the second sequence is nothing but padding
        var labels = full_like(ids, BertForMaskedLM.IgnoreIndex);
        labels[0, 1] = tensor(11L);
        var output = mlm.forward(ids, mask, types, labels);
        Assert.False(output.Logits.isnan().any().item<bool>());
        output.Loss!.backward();
        Assert.All(mlm.parameters(), p => Assert.False(p.grad?.isnan().any().item<bool>() ?? false));

        using var bert = new BertModel(TinyBert.Config);
        bert.eval();
        var hidden = bert.forward(ids, mask, types);
        Assert.False(hidden.LastHiddenState.isnan().any().item<bool>());
        var pooled = SentenceEmbedding.MeanPooled(hidden.LastHiddenState, mask);
        Assert.False(pooled.isnan().any().item<bool>());
    }

    [Fact]
    public void Padding_does_not_change_the_outputs_of_real_tokens()
    {
        using var bert = new BertModel(TinyBert.Config);
        bert.eval();
        var (ids, mask, types) = TinyBert.Batch();
        var padded = bert.forward(ids, mask, types).LastHiddenState[1, ..5];
        var alone = bert.forward(ids[1..2, ..5], mask[1..2, ..5], types[1..2, ..5]).LastHiddenState[0];
        Assert.True(padded.allclose(alone, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Works_in_bfloat16_on_the_device_of_its_inputs()
    {
        using var bert = new BertModel(TinyBert.Config);
        bert.eval();
        bert.to(ScalarType.BFloat16);
        var (ids, mask, types) = TinyBert.Batch();
        var output = bert.forward(ids, mask, types);
        Assert.Equal(ScalarType.BFloat16, output.LastHiddenState.dtype);
        Assert.Equal(ids.device.ToString(), output.LastHiddenState.device.ToString());
        Assert.False(output.LastHiddenState.isnan().any().item<bool>());
    }
}
