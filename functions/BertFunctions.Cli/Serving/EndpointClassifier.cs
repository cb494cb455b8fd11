using System.Net.Http.Json;
using System.Text.Json;
using BertFunctions.Cli.Io;

namespace BertFunctions.Cli.Serving;

/// <summary>One text's answer from a classify endpoint.</summary>
internal sealed record EndpointResult(string Label, double Score, IReadOnlyDictionary<string, double> Probabilities, bool Truncated);

/// <summary>
/// Calls a running <c>POST /api/classify</c> (the local host, or the Functions app with its function key from
/// <c>BERTFN_FUNCTION_KEY</c>) in batches of at most 64 texts, the endpoint's limit.
/// </summary>
internal sealed class EndpointClassifier(Uri endpoint, string? model) : IDisposable
{
    private const int BatchLimit = 64;

    private readonly HttpClient http = CreateClient(endpoint);

    public string? ModelVersion { get; private set; }

    public async Task<IReadOnlyList<EndpointResult>> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var results = new List<EndpointResult>(texts.Count);
        foreach (var batch in texts.Chunk(BatchLimit))
        {
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsJsonAsync(new Uri("api/classify", UriKind.Relative), new { texts = batch, model }, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new CliException($"cannot reach {endpoint}: {e.Message} (is 'bertfn serve' running?)", ExitCodes.Unavailable, e);
            }

            using var disposeResponse = response;
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // Problem details say what is wrong in one line; pass that on.
                var detail = ProblemDetail.Of(body) ?? body;
                throw new CliException($"{endpoint} answered {(int)response.StatusCode}: {detail}", (int)response.StatusCode >= 500 ? ExitCodes.Unavailable : ExitCodes.BadInput);
            }

            using var json = JsonDocument.Parse(body);
            ModelVersion = $"{json.RootElement.GetProperty("model").GetString()}/{json.RootElement.GetProperty("version").GetString()}";
            foreach (var item in json.RootElement.GetProperty("results").EnumerateArray())
            {
                results.Add(new EndpointResult(
                    item.GetProperty("label").GetString()!,
                    item.GetProperty("score").GetDouble(),
                    item.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal),
                    item.GetProperty("truncated").GetBoolean()));
            }
        }

        return results;
    }

    public void Dispose() => http.Dispose();

    private static HttpClient CreateClient(Uri endpoint)
    {
        var client = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(2) };
        if (Environment.GetEnvironmentVariable("BERTFN_FUNCTION_KEY") is { Length: > 0 } key)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return client;
    }
}
