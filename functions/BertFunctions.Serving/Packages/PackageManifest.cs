using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Serving.Packages;

/// <summary>
/// What serving reads of a package's <c>package.json</c> (written by BertFunctions.Export's ModelPackageWriter, which
/// serving must not reference: it brings TorchSharp). Unknown fields are ignored, so the writer may add some.
/// </summary>
public sealed record PackageManifest
{
    /// <summary>The manifest format this code understands.</summary>
    public const string SupportedFormat = "bertfunctions.model-package.v1";

    public required string Format { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>Class names in id order.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Every file but the manifest, with its size and SHA-256.</summary>
    public required IReadOnlyList<PackageFile> Files { get; init; }

    public required PackageOnnx Onnx { get; init; }

    /// <summary>SHA-256 of vocab.txt.</summary>
    [JsonPropertyName("vocab_sha256")]
    public string? VocabularySha256 { get; init; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Parses and checks a manifest; <see cref="InvalidDataException"/> naming <paramref name="source"/> otherwise.</summary>
    public static PackageManifest Parse(ReadOnlySpan<byte> json, string source)
    {
        PackageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<PackageManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a model package manifest: {e.Message}", e);
        }

        if (manifest is null || manifest.Format != SupportedFormat)
        {
            throw new InvalidDataException($"{source}: format '{manifest?.Format}' is not '{SupportedFormat}'");
        }

        return manifest;
    }

    /// <summary>The entry of <paramref name="path"/>; <see cref="InvalidDataException"/> if the manifest does not list it.</summary>
    public PackageFile File(string path) =>
        Files.FirstOrDefault(f => f.Path == path) ?? throw new InvalidDataException($"model package {Name}/{Version} lists no {path}");
}

/// <summary>One file of a package.</summary>
public sealed record PackageFile(string Path, long Size, string Sha256);

/// <summary>How to call the ONNX export: inputs int64 [batch, sequence], output float32 [batch, labels].</summary>
public sealed record PackageOnnx(string File, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
