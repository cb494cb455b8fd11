using System.Text.Json;

namespace BertFunctions.Cli.Io;

/// <summary>The one line an HTTP error body says: RFC 7807 problem details' <c>detail</c>, or null for another body.</summary>
internal static class ProblemDetail
{
    public static string? Of(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
