using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http;

/// <summary>
/// Reads a JSON request body up to a limit, as bytes: not JSON is a 415, too large a 413, not UTF-8 a 400, the
/// server's own refusal (<see cref="BadHttpRequestException"/>) its 4xx; never an exception. The buffer grows with the
/// body instead of allocating the limit for every request, and the bytes go to a UTF-8 JSON reader without a detour
/// through a string.
/// </summary>
public static class JsonBodyReader
{
    private const int InitialCapacity = 16 * 1024;

    /// <summary>Reads the body of <paramref name="request"/>, at most <paramref name="limit"/> bytes.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, Array.MaxLength - 1); // the buffer holds limit + 1 bytes

        if (request.ContentType is { Length: > 0 } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return new(default, HttpProblems.UnsupportedMediaType(type));
        }

        if (request.ContentLength > limit)
        {
            return new(default, HttpProblems.TooLarge(limit));
        }

        // Content-Length may be absent (chunked) or wrong: read until the end, at most limit + 1 bytes, to find out.
        var buffer = new byte[Math.Min(request.ContentLength ?? InitialCapacity, limit) + 1];
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
                    return new(default, HttpProblems.TooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            // The server's own verdict on the body (cut short, over its limit): a 4xx, not a 500.
            return new(default, HttpProblems.FromServer(e));
        }

        var body = buffer.AsMemory(0, read);
        if (!Utf8.IsValid(body.Span))
        {
            return new(default, HttpProblems.BadRequest("the request body is not valid UTF-8"));
        }

        // A UTF-8 byte order mark is allowed before JSON (RFC 8259 says parsers may ignore it).
        return new(body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body, null);
    }
}
