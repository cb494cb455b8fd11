namespace BertFunctions.Serving.Packages;

/// <summary>The files of a model package that serving uses (the safetensors weights and metrics it does not need).</summary>
public static class PackageFiles
{
    public const string Manifest = "package.json";
    public const string Config = "config.json";
    public const string Vocabulary = "vocab.txt";
    public const string TokenizerConfig = "tokenizer_config.json";
    public const string Onnx = "model.onnx";
    public const string Job = "job.json";

    /// <summary>Downloaded and verified against the manifest; <see cref="Manifest"/> comes first and is written locally last.</summary>
    public static IReadOnlyList<string> Needed { get; } = [Config, Vocabulary, TokenizerConfig, Onnx, Job];
}
