using Microsoft.AspNetCore.Http;

namespace BertFunctions.Orchestration.Api;

/// <summary>RFC 7807 problem details for bad requests: a status, a title and one line that says what to fix.</summary>
internal static class ProblemResults
{
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid");

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult TooLarge(long limit) => Results.Problem($"the request body is larger than the limit of {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");

    public static IResult UnsupportedMediaType(string? contentType) => Results.Problem($"send the body as application/json, not '{contentType}'", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
}
