using System.Text;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Orchestration.Api;

/// <summary>Reads a JSON request body up to a limit; too large, or not JSON, is a problem result, never an exception.</summary>
internal static class BodyReader
{
    public static async Task<(string? Body, IResult? Problem)> ReadJsonAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentType is { Length: > 0 } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ProblemResults.UnsupportedMediaType(type));
        }

        if (request.ContentLength > limit)
        {
            return (null, ProblemResults.TooLarge(limit));
        }

        // Content-Length may be absent (chunked): read at most limit + 1 bytes to find out.
        var buffer = new byte[limit + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        if (read > limit)
        {
            return (null, ProblemResults.TooLarge(limit));
        }

        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, read), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, ProblemResults.BadRequest("the request body is not valid UTF-8"));
        }
    }
}
