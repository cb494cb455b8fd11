using System.Text.Json;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Serving.Live;

/// <summary>
/// What serving reads of <c>models/{name}/live.json</c>, written by the pipeline's promotion (Orchestration's
/// <c>LiveModel</c>, snake_case). A local record rather than a reference to Orchestration: that would bring the
/// Durable Task packages and the whole ingestion stack into the serving path. Other fields are ignored.
/// </summary>
internal sealed record LivePointer
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>Parses and checks that it names <paramref name="name"/> and a valid version.</summary>
    public static LivePointer Parse(ReadOnlySpan<byte> json, string name)
    {
        var source = $"{StorageLayout.ModelsContainer}/{StorageLayout.LiveModel(name)}";
        LivePointer? pointer;
        try
        {
            pointer = JsonSerializer.Deserialize<LivePointer>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a live-model pointer: {e.Message}", e);
        }

        if (pointer is null || pointer.Name != name)
        {
            throw new InvalidDataException($"{source}: names model '{pointer?.Name}', not '{name}'");
        }

        try
        {
            BlobNames.Version(pointer.Version);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return pointer;
    }
}
