using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http;

/// <summary>What reading a JSON request body gave: its UTF-8 bytes, or the problem to answer with instead.</summary>
/// <param name="Utf8">Valid UTF-8 without a byte order mark; empty when there is a <paramref name="Problem"/> (or no body).</param>
/// <param name="Problem">A 4xx problem details result when the body cannot be used; null when it can be parsed.</param>
public readonly record struct JsonBody(ReadOnlyMemory<byte> Utf8, IResult? Problem);
