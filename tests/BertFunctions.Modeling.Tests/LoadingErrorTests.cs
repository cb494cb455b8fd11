using System.Text;
using static TorchSharp.torch;

namespace BertFunctions.Modeling.Tests;

public sealed class LoadingErrorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("bertfn-errors-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static Dictionary<string, Tensor> Checkpoint()
    {
        using var model = new BertModel(TinyBert.Config);
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    [Fact]
    public void Every_missing_unexpected_and_misshapen_key_is_reported_at_once()
    {
        var checkpoint = Checkpoint();
        checkpoint.Remove("encoder.layer.1.attention.self.key.weight");
        checkpoint.Remove("pooler.dense.bias");
        checkpoint["encoder.layer.0.attention.self.rotary.weight"] = zeros(4);
        checkpoint["embeddings.position_embeddings.weight"] = zeros(128, 32);
        using var model = new BertModel(TinyBert.Config);
        var before = model.state_dict()["encoder.layer.0.output.dense.weight"].clone();

        var e = Assert.Throws<StateDictMismatchException>(() => StrictLoader.Load(model, checkpoint, "ckpt.safetensors"));
        Assert.Equal(["encoder.layer.1.attention.self.key.weight", "pooler.dense.bias"], e.Missing.Order());
        Assert.Equal(["encoder.layer.0.attention.self.rotary.weight"], e.Unexpected);
        Assert.Contains("embeddings.position_embeddings.weight: checkpoint [128, 32], model [64, 32]", e.ShapeMismatches);
        Assert.StartsWith("Cannot load ckpt.safetensors into BertModel: 2 missing key(s): ", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 unexpected key(s): encoder.layer.0.attention.self.rotary.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 shape mismatch(es)", e.Message, StringComparison.Ordinal);
        Assert.True(before.SameAs(model.state_dict()["encoder.layer.0.output.dense.weight"]), "nothing may be copied when loading fails");
    }

    [Fact]
    public void Prefixed_gamma_beta_checkpoints_with_old_position_ids_load()
    {
        var checkpoint = Checkpoint().ToDictionary(
            kv => "bert." + kv.Key.Replace("LayerNorm.weight", "LayerNorm.gamma", StringComparison.Ordinal).Replace("LayerNorm.bias", "LayerNorm.beta", StringComparison.Ordinal),
            kv => kv.Value);
        checkpoint["bert.embeddings.position_ids"] = arange(64).unsqueeze(0);
        checkpoint["cls.seq_relationship.weight"] = zeros(2, 32);
        using var model = new BertModel(TinyBert.Config);
        var report = StrictLoader.Load(model, checkpoint, "old");
        Assert.Equal(TinyBert.BertModelKeys(2, pooler: true).Count, report.Loaded.Count);
        Assert.Equal(["bert.embeddings.position_ids", "cls.seq_relationship.weight"], report.Ignored.Order());
        Assert.True(checkpoint["bert.embeddings.LayerNorm.gamma"].SameAs(model.state_dict()["embeddings.LayerNorm.weight"]));

        // A BertModel checkpoint (no prefix) fills the encoder of a classifier; only the head is then missing.
        using var classifier = new BertForSequenceClassification(TinyBert.Config);
        var e = Assert.Throws<StateDictMismatchException>(() => StrictLoader.Load(classifier, Checkpoint(), "base"));
        Assert.Equal(["classifier.bias", "classifier.weight"], e.Missing.Order());
        StrictLoader.Load(classifier.Bert, Checkpoint(), "base"); // the way to fine-tune from a bare encoder
    }

    [Fact]
    public void Pickled_checkpoint_without_safetensors_is_refused()
    {
        var dir = SaveTiny("pickle");
        File.Delete(Path.Combine(dir, HfModelDirectory.WeightsFile));
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x80, 0x02]);
        var e = Assert.Throws<FileNotFoundException>(() => HfModelDirectory.Open(dir));
        Assert.Contains("pytorch_model.bin is a pickled PyTorch checkpoint, which is refused because unpickling runs arbitrary code", e.Message, StringComparison.Ordinal);
        Assert.Contains("Convert it to safetensors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        var dir = SaveTiny("novocab");
        File.Delete(Path.Combine(dir, HfModelDirectory.VocabularyFile));
        var e = Assert.Throws<FileNotFoundException>(() => HfModelDirectory.Open(dir));
        Assert.Contains(Path.Combine(dir, "vocab.txt") + " not found", e.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => HfModelDirectory.Open(Path.Combine(root, "nowhere")));
    }

    [Fact]
    public void Truncated_safetensors_names_the_file()
    {
        var dir = SaveTiny("truncated");
        var file = Path.Combine(dir, HfModelDirectory.WeightsFile);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => HfModelDirectory.Open(dir).LoadBertModel());
        Assert.StartsWith(file + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(file, bytes[..5]);
        Assert.Contains("truncated safetensors file (5 bytes", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_header_wrong_dtype_and_wrong_shape_are_reported()
    {
        var file = Path.Combine(root, "bad.safetensors");
        WriteRaw(file, "{ this is not json", 0);
        Assert.Contains(file + ": safetensors header is not valid JSON", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file)).Message, StringComparison.Ordinal);

        WriteRaw(file, """{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""", 16);
        Assert.Contains("tensor 'a' has dtype I64; supported: F32, F16, BF16", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file)).Message, StringComparison.Ordinal);

        WriteRaw(file, """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8);
        Assert.Contains("tensor 'a' of shape [3] and dtype F32 needs 12 bytes, data_offsets give 8", Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_config_value_in_a_directory_names_the_file_and_field()
    {
        var dir = SaveTiny("badconfig");
        var config = Path.Combine(dir, HfModelDirectory.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"absolute\"", "\"relative_key_query\"", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => HfModelDirectory.Open(dir));
        Assert.Equal($"{config}: position_embedding_type = \"relative_key_query\" is not supported: only \"absolute\" is implemented.", e.Message);
    }

    private string SaveTiny(string name)
    {
        using var model = new BertModel(TinyBert.Config);
        var dir = Path.Combine(root, name);
        HfModelDirectory.Save(dir, TinyBert.Config, model, TinyBert.Vocabulary);
        return dir;
    }

    private static void WriteRaw(string file, string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(file);
        stream.Write(BitConverter.GetBytes((ulong)json.Length));
        stream.Write(json);
        stream.Write(new byte[dataBytes]);
    }
}
