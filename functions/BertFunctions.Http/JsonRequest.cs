using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http;

/// <summary>What reading and parsing a JSON request gave: the request, or the problem to answer with instead.</summary>
/// <typeparam name="TRequest">The parsed request.</typeparam>
/// <param name="Request">The parsed request; default when there is a <paramref name="Problem"/>.</param>
/// <param name="Problem">A 4xx problem details result; null when <paramref name="Request"/> is set.</param>
public readonly record struct JsonRequest<TRequest>(TRequest? Request, IResult? Problem);
