using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

public sealed class HfModelDirectoryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bertfn-hfdir-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void BertModel_save_then_load_is_bit_exact_with_identical_outputs()
    {
        using var model = new BertModel(TinyBert.Config);
        model.eval();
        var dir = Path.Combine(root, "base");
        HfModelDirectory.Save(dir, TinyBert.Config, model, TinyBert.Vocabulary);

        var opened = HfModelDirectory.Open(dir);
        Assert.Equal(["BertModel"], opened.Config.Architectures);
        Assert.True(opened.DoLowerCase);
        Assert.Equal(TinyBert.Vocabulary, opened.ReadVocabulary());
        using var loaded = opened.LoadBertModel();
        AssertBitExact(model, loaded);

        var (ids, mask, types) = TinyBert.Batch();
        Assert.True(model.forward(ids, mask, types).LastHiddenState.SameAs(loaded.forward(ids, mask, types).LastHiddenState));

        var header = SafeTensors.ReadHeader(Path.Combine(dir, HfModelDirectory.WeightsFile));
        Assert.Equal(TinyBert.BertModelKeys(2, pooler: true).Order(), header.Select(e => e.Name).Order());
        Assert.All(header, e => Assert.Equal("F32", e.DType));
    }

    [Fact]
    public void Masked_lm_round_trips_without_duplicating_the_tied_decoder()
    {
        using var model = new BertForMaskedLM(TinyBert.Config);
        model.eval();
        var dir = Path.Combine(root, "mlm");
        HfModelDirectory.Save(dir, TinyBert.Config, model, TinyBert.Vocabulary);
        var header = SafeTensors.ReadHeader(Path.Combine(dir, HfModelDirectory.WeightsFile));
        Assert.Equal(TinyBert.MaskedLMSavedKeys(2).Order(), header.Select(e => e.Name).Order());

        using var loaded = HfModelDirectory.Open(dir).LoadForMaskedLM();
        AssertBitExact(model, loaded);
        var (ids, mask, types) = TinyBert.Batch();
        Assert.True(model.forward(ids, mask, types).Logits.SameAs(loaded.forward(ids, mask, types).Logits));
        var sd = loaded.state_dict();
        Assert.Equal(sd["bert.embeddings.word_embeddings.weight"].storage<float>().data_ptr(), sd["cls.predictions.decoder.weight"].storage<float>().data_ptr());

        // The encoder of a BertForMaskedLM checkpoint loads into a bare BertModel (bert. prefix stripped, cls.* ignored).
        using var encoder = HfModelDirectory.Open(dir).LoadBertModel(addPoolingLayer: false);
        Assert.True(encoder.state_dict()["encoder.layer.1.output.dense.weight"].SameAs(sd["bert.encoder.layer.1.output.dense.weight"]));
    }

    [Fact]
    public void Classifier_round_trips_with_labels_in_config()
    {
        using var model = new BertForSequenceClassification(TinyBert.Config);
        model.eval();
        var dir = Path.Combine(root, "cls");
        HfModelDirectory.Save(dir, TinyBert.Config, model, TinyBert.Vocabulary, doLowerCase: false);
        var header = SafeTensors.ReadHeader(Path.Combine(dir, HfModelDirectory.WeightsFile));
        Assert.Equal(TinyBert.ClassificationKeys(2).Order(), header.Select(e => e.Name).Order());

        var opened = HfModelDirectory.Open(dir);
        Assert.False(opened.DoLowerCase);
        Assert.Equal("spam", opened.Config.Id2Label!["1"]);
        Assert.Equal(["BertForSequenceClassification"], opened.Config.Architectures);
        using var loaded = opened.LoadForSequenceClassification();
        AssertBitExact(model, loaded);
        var (ids, mask, types) = TinyBert.Batch();
        Assert.True(model.forward(ids, mask, types).Logits.SameAs(loaded.forward(ids, mask, types).Logits));
    }

    [Fact]
    public void MiniLm_saved_as_hf_directory_reloads_bit_exact()
    {
        using var model = MiniLmPretrained.LoadBertModel();
        var dir = Path.Combine(root, "minilm");
        HfModelDirectory.Save(dir, MiniLmPretrained.Config, model, MiniLmPretrained.ReadVocabulary());
        using var loaded = HfModelDirectory.Open(dir).LoadBertModel();
        AssertBitExact(model, loaded);
        Assert.Contains("\"hidden_size\": 384", File.ReadAllText(Path.Combine(dir, HfModelDirectory.ConfigFile)), StringComparison.Ordinal);
    }

    [Fact]
    public void Half_and_bfloat16_safetensors_are_read_exactly()
    {
        var path = Path.Combine(root, "half.safetensors");
        var values = new[] { 1f, -2.5f, 0.375f, 1024f, -0.0625f, 3f };
        SafeTensors.Write(path, new Dictionary<string, Tensor>
        {
            ["h"] = tensor(values, [2, 3]).to(ScalarType.Float16),
            ["b"] = tensor(values, [3, 2]).to(ScalarType.BFloat16),
        });
        var read = SafeTensors.Read(path);
        Assert.Equal(values, read["h"].data<float>().ToArray());
        Assert.Equal(values, read["b"].data<float>().ToArray());
        Assert.Equal([3, 2], read["b"].shape);
        Assert.Equal(["BF16", "F16"], SafeTensors.ReadHeader(path).Select(e => e.DType).Order());
    }

    private static void AssertBitExact(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, value) in a)
        {
            Assert.True(value.SameAs(b[key]), key);
        }
    }
}
