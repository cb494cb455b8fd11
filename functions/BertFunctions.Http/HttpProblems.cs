using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http;

/// <summary>
/// RFC 7807 problem details: a status, a title and one line that says what to fix. One wording for every API, so a
/// client reads a 400 from the training API and one from the classify API the same way.
/// </summary>
public static class HttpProblems
{
    /// <summary>The title of every 400.</summary>
    public const string BadRequestTitle = "The request is not valid";

    /// <summary>The title of every 413.</summary>
    public const string TooLargeTitle = "Request body too large";

    /// <summary>400: the request cannot be acted on; <paramref name="detail"/> says why.</summary>
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: BadRequestTitle);

    /// <summary>404: what the request names does not exist.</summary>
    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>409: the request clashes with the resource's state.</summary>
    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    /// <summary>413: the body is over the API's limit of <paramref name="limit"/> bytes.</summary>
    public static IResult TooLarge(long limit) => Results.Problem($"the request body is larger than the limit of {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: TooLargeTitle);

    /// <summary>415: the body was sent as something other than JSON.</summary>
    public static IResult UnsupportedMediaType(string? contentType) => Results.Problem($"send the body as application/json, not '{contentType}'", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>503 with Retry-After: the condition is expected to pass (a model is promoted, or finishes loading).</summary>
    public static IResult Unavailable(string title, string detail, TimeSpan retryAfter) =>
        new WithHeaders(
            Results.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: title),
            ("Retry-After", ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// The server's own verdict on a body (over its request size limit, cut short by the client, a bad chunk): a 413
    /// or 400 with the server's reason, never a 500. A status outside 4xx is answered as a 400.
    /// </summary>
    public static IResult FromServer(BadHttpRequestException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var status = exception.StatusCode is >= 400 and < 500 ? exception.StatusCode : StatusCodes.Status400BadRequest;
        return Results.Problem(exception.Message, statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? TooLargeTitle : BadRequestTitle);
    }
}
