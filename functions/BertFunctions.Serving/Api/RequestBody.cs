using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Serving.Api;

/// <summary>
/// Reads a JSON request body up to a limit, as bytes: too large is a 413, not UTF-8 a 400, never an exception. Unlike
/// the training API's reader it grows its buffer with the body instead of allocating the limit (2 MiB here) for every
/// request, and hands the bytes to a UTF-8 JSON reader without a detour through a string.
/// </summary>
internal static class RequestBody
{
    private const int InitialCapacity = 16 * 1024;

    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Problem)> ReadJsonAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentType is { Length: > 0 } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, ServingProblems.UnsupportedMediaType(type));
        }

        if (request.ContentLength > limit)
        {
            return (default, ServingProblems.TooLarge(limit));
        }

        // Content-Length may be absent (chunked) or wrong: read until the end, at most limit + 1 bytes, to find out.
        var buffer = new byte[Math.Min((int)(request.ContentLength ?? InitialCapacity), limit) + 1];
        var read = 0;
        try
        {
            while (true)
            {
                if (read == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, limit + 1L));
                }

                var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
                if (read > limit)
                {
                    return (default, ServingProblems.TooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            // The server's own verdict on the body (cut short, over its limit): a 4xx, not a 500.
            return (default, Results.Problem(e.Message, statusCode: e.StatusCode, title: "The request is not valid"));
        }

        var body = buffer.AsMemory(0, read);
        if (!Utf8.IsValid(body.Span))
        {
            return (default, ServingProblems.BadRequest("the request body is not valid UTF-8"));
        }

        // A UTF-8 byte order mark is allowed before JSON (RFC 8259 says parsers may ignore it).
        return (body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body, null);
    }
}
