using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Serving.Api;

/// <summary>
/// RFC 7807 problem details: a status, a title and one line that says what to fix. The same wording as the training
/// API's (Orchestration's ProblemResults, internal there and too small to share through a library of its own).
/// </summary>
internal static class ServingProblems
{
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid");

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult TooLarge(long limit) => Results.Problem($"the request body is larger than the limit of {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");

    public static IResult UnsupportedMediaType(string? contentType) => Results.Problem($"send the body as application/json, not '{contentType}'", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>503 with Retry-After: the condition is expected to pass (a model is promoted, or finishes loading).</summary>
    public static IResult Unavailable(string detail, TimeSpan retryAfter) =>
        new WithHeaders(
            Results.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model available"),
            ("Retry-After", ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
}
