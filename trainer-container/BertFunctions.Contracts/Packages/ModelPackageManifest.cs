using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Contracts.Packages;

/// <summary>The <c>package.json</c> of a model package: what it holds, each file's size and SHA-256, and a summary.</summary>
public sealed record ModelPackageManifest
{
    /// <summary>The manifest format this code writes and reads.</summary>
    public const string CurrentFormat = "bertfunctions.model-package.v1";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Always <see cref="CurrentFormat"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    /// <summary>Model name (the first folder under <c>models/</c>).</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>Version (the second folder).</summary>
    [JsonPropertyName("version")] public required string Version { get; init; }

    /// <summary>When the package was written (UTC).</summary>
    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>HF class of the weights, e.g. <c>BertForSequenceClassification</c>.</summary>
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }

    /// <summary>Class names in id order (id2label).</summary>
    [JsonPropertyName("labels")] public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Every file but the manifest, in upload order.</summary>
    [JsonPropertyName("files")] public required IReadOnlyList<PackageFile> Files { get; init; }

    /// <summary>The numbers of <c>metrics.json</c>: top-level ones by name, nested ones as <c>outer.inner</c>.</summary>
    [JsonPropertyName("metrics")] public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>How to call <c>model.onnx</c>.</summary>
    [JsonPropertyName("onnx")] public required OnnxSignature Onnx { get; init; }

    /// <summary>SHA-256 of <c>vocab.txt</c> (also in the ONNX metadata as <c>vocab_sha256</c>).</summary>
    [JsonPropertyName("vocab_sha256")] public required string VocabularySha256 { get; init; }

    /// <summary>The entry of <paramref name="path"/>; <see cref="InvalidDataException"/> if the manifest does not list it.</summary>
    public PackageFile File(string path) =>
        Files.FirstOrDefault(f => f.Path == path) ?? throw new InvalidDataException($"model package {Name}/{Version} lists no {path}.");

    /// <summary>
    /// This manifest if it describes <paramref name="name"/>/<paramref name="version"/>, lists every required file,
    /// and names only plain file names (manifests come from storage and must not steer writes elsewhere); else an
    /// <see cref="InvalidDataException"/> naming <paramref name="source"/>.
    /// </summary>
    public ModelPackageManifest CheckFor(string name, string version, string source)
    {
        if (Name != name || Version != version)
        {
            throw new InvalidDataException($"{source}: describes {Name}/{Version}, not {name}/{version}.");
        }

        var missing = ModelPackageLayout.RequiredFiles.Except(Files.Select(f => f.Path), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{source}: lists no {string.Join(", ", missing)}.");
        }

        foreach (var file in Files)
        {
            ModelPackageLayout.FileName(file.Path);
        }

        return this;
    }

    /// <summary>The manifest's JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a manifest; <see cref="InvalidDataException"/> naming <paramref name="source"/> if it is not one this code understands.</summary>
    public static ModelPackageManifest FromJson(string json, string source)
    {
        ModelPackageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelPackageManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid model package manifest: {e.Message}", e);
        }

        if (manifest is null || manifest.Format != CurrentFormat)
        {
            throw new InvalidDataException($"{source}: format '{manifest?.Format}' is not '{CurrentFormat}'.");
        }

        return manifest;
    }
}

/// <summary>One file of a package.</summary>
/// <param name="Path">File name inside the package folder.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes.</param>
public sealed record PackageFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>The calling convention of <c>model.onnx</c>.</summary>
/// <param name="File">File name.</param>
/// <param name="Opset">Default-domain opset.</param>
/// <param name="IrVersion">ONNX IR version.</param>
/// <param name="Inputs">Input names, all int64 [batch, sequence].</param>
/// <param name="Outputs">Output names (<c>logits</c>, float32 [batch, num_labels]).</param>
public sealed record OnnxSignature(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("opset")] int Opset,
    [property: JsonPropertyName("ir_version")] long IrVersion,
    [property: JsonPropertyName("inputs")] IReadOnlyList<string> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<string> Outputs);
