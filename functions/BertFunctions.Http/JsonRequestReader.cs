using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http;

/// <summary>
/// Reads a JSON request body (<see cref="JsonBodyReader"/>) and parses it with the API's own parser, which knows the
/// fields and says which one is wrong: its refusal becomes a 400 whose detail is the parser's message.
/// </summary>
public static class JsonRequestReader
{
    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes and parses them with <paramref name="parse"/>. A
    /// <typeparamref name="TException"/> from the parser is a 400 with its message; so is a <see cref="JsonException"/>
    /// that a parser lets through, so that malformed JSON is never a 500. Anything else propagates.
    /// </summary>
    /// <typeparam name="TRequest">The parsed request.</typeparam>
    /// <typeparam name="TException">The exception the parser throws for a request it refuses.</typeparam>
    public static async Task<JsonRequest<TRequest>> ReadAsync<TRequest, TException>(HttpRequest request, int limit, Func<ReadOnlyMemory<byte>, TRequest> parse, CancellationToken cancellationToken)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(parse);
        var (body, problem) = await JsonBodyReader.ReadAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return new(default, problem);
        }

        try
        {
            return new(parse(body), null);
        }
        catch (TException e)
        {
            return new(default, HttpProblems.BadRequest(e.Message));
        }
        catch (JsonException e)
        {
            return new(default, HttpProblems.BadRequest($"the request body is not valid JSON: {e.Message}"));
        }
    }
}
