using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>
/// An HF model folder as <c>save_pretrained</c> writes it: <c>config.json</c>, <c>vocab.txt</c>,
/// <c>model.safetensors</c> and optionally <c>tokenizer_config.json</c>. Pickled checkpoints
/// (<c>pytorch_model.bin</c>, <c>*.bin</c>, <c>*.pt</c>) are refused: unpickling runs arbitrary code.
/// </summary>
public sealed class HfModelDirectory
{
    /// <summary>File names inside the folder.</summary>
    public const string ConfigFile = "config.json", VocabularyFile = "vocab.txt", WeightsFile = "model.safetensors", TokenizerConfigFile = "tokenizer_config.json";

    private HfModelDirectory(string path, BertConfig config, bool doLowerCase)
    {
        Path = path;
        Config = config;
        DoLowerCase = doLowerCase;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The parsed and validated <c>config.json</c>.</summary>
    public BertConfig Config { get; }

    /// <summary><c>do_lower_case</c> of <c>tokenizer_config.json</c>; true (BERT uncased) when the file or field is absent.</summary>
    public bool DoLowerCase { get; }

    /// <summary>Checks the folder's files and reads its configs; weights are read by the Load methods.</summary>
    public static HfModelDirectory Open(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Model directory '{path}' does not exist.");
        }

        var weights = System.IO.Path.Combine(path, WeightsFile);
        if (!File.Exists(weights))
        {
            var pickles = Directory.EnumerateFiles(path).Where(f => f.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pth", StringComparison.OrdinalIgnoreCase))
                .Select(System.IO.Path.GetFileName).ToList();
            throw new FileNotFoundException(pickles.Count > 0
                ? $"{weights} not found; {string.Join(", ", pickles)} is a pickled PyTorch checkpoint, which is refused because unpickling runs arbitrary code. Convert it to safetensors first (in Python: model.save_pretrained(dir, safe_serialization=True))."
                : $"{weights} not found: an HF model directory needs {ConfigFile}, {VocabularyFile} and {WeightsFile}.", weights);
        }

        var config = BertConfig.FromJson(ReadRequired(path, ConfigFile), System.IO.Path.Combine(path, ConfigFile));
        ReadRequired(path, VocabularyFile);
        return new HfModelDirectory(path, config, ReadDoLowerCase(path));
    }

    /// <summary>The text of <c>vocab.txt</c>.</summary>
    public string ReadVocabulary() => ReadRequired(Path, VocabularyFile);

    /// <summary>Every tensor of <c>model.safetensors</c> (float32, CPU), HF key names.</summary>
    public Dictionary<string, Tensor> ReadWeights() => SafeTensors.Read(System.IO.Path.Combine(Path, WeightsFile));

    /// <summary>The encoder, loaded strictly (from a BertModel or BertFor* checkpoint), in eval mode.</summary>
    /// <param name="addPoolingLayer">Whether to build (and so require) the pooler; false for MLM checkpoints.</param>
    /// <param name="device">Where to put it; CPU when null.</param>
    public BertModel LoadBertModel(bool addPoolingLayer = true, Device? device = null) => LoadInto(new BertModel(Config, addPoolingLayer), device);

    /// <summary>A masked LM, loaded strictly, in eval mode.</summary>
    public BertForMaskedLM LoadForMaskedLM(Device? device = null) => LoadInto(new BertForMaskedLM(Config), device);

    /// <summary>A sequence classifier, loaded strictly, in eval mode.</summary>
    public BertForSequenceClassification LoadForSequenceClassification(Device? device = null) => LoadInto(new BertForSequenceClassification(Config), device);

    /// <summary>
    /// Writes <paramref name="model"/> so that <c>transformers</c>' <c>from_pretrained</c> loads it: config.json with
    /// <c>architectures</c> set from the model's class, vocab.txt, model.safetensors with HF key names (tied aliases
    /// not duplicated) and tokenizer_config.json. Creates the folder; overwrites those files.
    /// </summary>
    public static HfModelDirectory Save(string path, BertConfig config, nn.Module model, string vocabulary, bool doLowerCase = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        config.Validate();
        Directory.CreateDirectory(path);
        var architecture = model switch
        {
            BertModel => "BertModel",
            BertForMaskedLM => "BertForMaskedLM",
            BertForSequenceClassification => "BertForSequenceClassification",
            _ => throw new ArgumentException($"Cannot save a {model.GetType().Name}; expected BertModel, BertForMaskedLM or BertForSequenceClassification.", nameof(model)),
        };
        var saved = config with { Architectures = [architecture] };
        File.WriteAllText(System.IO.Path.Combine(path, ConfigFile), saved.ToJson());
        File.WriteAllText(System.IO.Path.Combine(path, VocabularyFile), vocabulary);
        var tied = (model as ITiedWeights)?.TiedKeys ?? [];
        SafeTensors.Write(System.IO.Path.Combine(path, WeightsFile), model.state_dict().Where(kv => !tied.Contains(kv.Key)));
        var tokenizerConfig = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = doLowerCase,
            ["model_max_length"] = config.MaxPositionEmbeddings,
            ["unk_token"] = "[UNK]",
            ["sep_token"] = "[SEP]",
            ["pad_token"] = "[PAD]",
            ["cls_token"] = "[CLS]",
            ["mask_token"] = "[MASK]",
        };
        File.WriteAllText(System.IO.Path.Combine(path, TokenizerConfigFile), tokenizerConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new HfModelDirectory(path, saved, doLowerCase);
    }

    private T LoadInto<T>(T model, Device? device) where T : nn.Module
    {
        var weights = ReadWeights();
        try
        {
            StrictLoader.Load(model, weights, System.IO.Path.Combine(Path, WeightsFile));
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        model.eval();
        return device is null ? model : model.to(device);
    }

    private static string ReadRequired(string folder, string name)
    {
        var file = System.IO.Path.Combine(folder, name);
        return File.Exists(file) ? File.ReadAllText(file) : throw new FileNotFoundException($"{file} not found: an HF model directory needs {ConfigFile}, {VocabularyFile} and {WeightsFile}.", file);
    }

    private static bool ReadDoLowerCase(string folder)
    {
        var file = System.IO.Path.Combine(folder, TokenizerConfigFile);
        if (!File.Exists(file))
        {
            return true;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(file))?["do_lower_case"]?.GetValue<bool>() ?? true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{file}: not valid JSON with a boolean do_lower_case: {e.Message}", e);
        }
    }
}
