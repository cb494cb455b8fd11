using System.Text.Json;
using System.Text.Json.Nodes;

namespace BertFunctions.Infra.Tests;

/// <summary>A deployment snapshot (<c>bicep snapshot</c>): the resources main.bicep deploys, as ARM will see them.</summary>
public sealed class Deployment(string gpu, string image, JsonObject snapshot)
{
    /// <summary>The GPU profile parameter it was made with (T4 or A100).</summary>
    public string Gpu { get; } = gpu;

    /// <summary>The trainer image parameter it was made with (empty: the placeholder).</summary>
    public string Image { get; } = image;

    public JsonObject Snapshot { get; } = snapshot;

    public IReadOnlyList<JsonObject> Resources =>
        [.. (Snapshot["predictedResources"]?.AsArray() ?? []).Select(r => r!.AsObject())];

    public JsonObject? Outputs => Snapshot["outputs"]?.AsObject();

    public IReadOnlyList<JsonObject> OfType(string type) =>
        [.. Resources.Where(r => string.Equals(Json.Text(r["type"]), type, StringComparison.OrdinalIgnoreCase))];

    public JsonObject? ById(string id) =>
        Resources.FirstOrDefault(r => string.Equals(Json.Text(r["id"]), id, StringComparison.OrdinalIgnoreCase));

    /// <summary>A copy with <paramref name="change"/> applied, for showing that a check notices it.</summary>
    public Deployment With(Action<Deployment> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var copy = new Deployment(Gpu, Image, Json.Clone(Snapshot));
        change(copy);
        return copy;
    }

    public override string ToString() => $"main.bicep ({Gpu}{(Image.Length == 0 ? "" : ", image set")})";
}

internal static class Json
{
    public static JsonObject ReadObject(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })?.AsObject()
        ?? throw new InvalidDataException($"{path} is not a JSON object");

    public static JsonObject Clone(JsonObject node) => node.DeepClone().AsObject();

    /// <summary>The node at a dotted path (<c>properties.siteConfig.minTlsVersion</c>), or null.</summary>
    public static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var next) ? next : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>A string value, or null when the node is missing or not a string.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>True when the node is the JSON literal <paramref name="expected"/> (not an expression that might be).</summary>
    public static bool Is(JsonNode? node, bool expected) =>
        node is JsonValue v && v.GetValueKind() == (expected ? JsonValueKind.True : JsonValueKind.False);

    public static int? Int(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : null;

    public static IReadOnlyList<JsonNode?> Items(JsonNode? node) => node is JsonArray a ? [.. a] : [];

    /// <summary>The node as compact JSON text (for searching expressions and for messages).</summary>
    public static string Serialize(JsonNode? node) => node?.ToJsonString() ?? "null";
}
