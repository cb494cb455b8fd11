using System.Text.Json;
using System.Text.Json.Serialization;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Contracts.Models;

/// <summary>
/// <c>models/{name}/live.json</c>: the champion, the model that serving uses. Written only by the pipeline's
/// promotion (with an ETag condition), read by serving, the models API, the runs page and the CLI: one record for
/// all of them, so the format cannot drift between writer and readers.
/// </summary>
public sealed record LiveModel
{
    /// <summary>snake_case, nulls left out: the format on disk.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The model's name: <c>{name}</c> in <c>models/{name}/live.json</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The version it points at.</summary>
    public required string Version { get; init; }

    /// <summary><c>{name}/{version}/</c> in the models container.</summary>
    public required string Package { get; init; }

    /// <summary>Its metrics, on the test split of <see cref="DatasetVersion"/>.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>The dataset version it was trained and tested on.</summary>
    public required string DatasetVersion { get; init; }

    /// <summary>The vocabulary its data is tokenized with: <c>minilm</c> or a vocab.txt blob in the datasets container.</summary>
    public string Vocabulary { get; init; } = "minilm";

    /// <summary>The run that promoted it.</summary>
    public required string RunId { get; init; }

    /// <summary>When it was promoted.</summary>
    public required DateTimeOffset PromotedAt { get; init; }

    /// <summary>Its labels, in id order.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Its label contract (a hash of the label set); null for a model promoted before contracts were recorded.</summary>
    public string? LabelContract { get; init; }

    /// <summary>
    /// Parses <c>models/{name}/live.json</c> and checks that it names <paramref name="name"/> and a valid version,
    /// so that a hand-edited or foreign pointer fails here, with the blob's name, rather than as a path later.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob is not a live pointer for <paramref name="name"/>.</exception>
    public static LiveModel Parse(ReadOnlySpan<byte> json, string name)
    {
        var source = $"{StorageLayout.ModelsContainer}/{StorageLayout.LiveModel(name)}";
        LiveModel? live;
        try
        {
            live = JsonSerializer.Deserialize<LiveModel>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a live-model pointer: {e.Message}", e);
        }

        if (live is null || live.Name != name)
        {
            throw new InvalidDataException($"{source}: names model '{live?.Name}', not '{name}'");
        }

        try
        {
            BlobNames.Version(live.Version);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return live;
    }
}
