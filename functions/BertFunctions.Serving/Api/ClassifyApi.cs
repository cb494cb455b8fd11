using System.Text.Json;
using System.Text.Json.Serialization;
using BertFunctions.Http;
using BertFunctions.Serving.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving.Api;

/// <summary>
/// The classification HTTP API, host-agnostic: the Functions app and the local host map the same methods to the same
/// routes. Bad input is a 4xx with RFC 7807 problem details, never a 500; no model to answer is a 503 with Retry-After.
/// </summary>
public sealed partial class ClassifyApi(LiveModelCache models, IOptions<ServingOptions> options, ILogger<ClassifyApi> logger)
{
    /// <summary>The header that names the model version that answered: <c>name/version</c>.</summary>
    public const string ModelVersionHeader = "X-Model-Version";

    /// <summary>snake_case fields; label names (dictionary keys) exactly as the model spells them.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>POST /api/classify.</summary>
    public async Task<IResult> ClassifyAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var settings = options.Value;
        var (parsed, problem) = await JsonRequestReader.ReadAsync<ClassifyRequest, ClassifyRequestException>(
            http,
            settings.MaxRequestBytes,
            body => ClassifyRequest.Parse(body.Span, settings.MaxTexts, settings.MaxTextChars),
            cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var request = parsed!; // no problem: the reader parsed it

        ModelLease lease;
        try
        {
            lease = await models.AcquireAsync(request.Model, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return HttpProblems.BadRequest(e.Message);
        }
        catch (ModelUnavailableException e)
        {
            LogNoModel(request.Model ?? settings.DefaultModel ?? "(none)", e.Problem, e.Message);
            return e.Problem == ModelProblem.NotFound ? HttpProblems.NotFound(e.Message) : HttpProblems.Unavailable("No model available", e.Message, settings.RetryAfter);
        }

        using (lease)
        {
            var model = lease.Model;
            var clipped = request.Texts.Select(t => t.Length > settings.MaxTextChars).ToList();
            var classified = model.Classify([.. request.Texts.Select(t => TextWindow.Clip(t, settings.MaxTextChars))], settings.MaxBatchSize);
            var topK = Math.Min(request.TopK ?? int.MaxValue, model.Labels.Count);
            var results = classified.Select((c, i) => new ClassifyResult(
                c.Label,
                c.Score,
                c.Probabilities.OrderByDescending(p => p.Value).Take(topK).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                c.Truncated || clipped[i])).ToList();
            return new WithHeaders(
                Results.Json(new ClassifyResponse(model.Name, model.Version, results), JsonOptions),
                (ModelVersionHeader, $"{model.Name}/{model.Version}"));
        }
    }

    /// <summary>
    /// GET /api/classify/health: the default model's state, version, load and warm-up times; 200 when it can answer,
    /// 503 with Retry-After while it loads or when nothing is live. Starts loading it if nothing has yet.
    /// </summary>
    public Task<IResult> HealthAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        ModelStatus? defaultModel = null;
        if (settings.DefaultModel is { } name)
        {
            defaultModel = models.Status(name);
        }

        var state = defaultModel?.State ?? ModelStatus.Ready;
        var response = new HealthResponse(state, defaultModel, models.Statuses());
        IResult result = state == ModelStatus.Ready
            ? Results.Json(response, JsonOptions)
            : new WithHeaders(
                Results.Json(response, JsonOptions, statusCode: StatusCodes.Status503ServiceUnavailable),
                ("Retry-After", ((int)Math.Ceiling(settings.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Task.FromResult(result);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Classify request for model {Model} refused: {Problem}: {Reason}")]
    private partial void LogNoModel(string model, ModelProblem problem, string reason);
}
