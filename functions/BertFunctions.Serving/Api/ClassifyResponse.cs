namespace BertFunctions.Serving.Api;

/// <summary>The body of a <c>POST /api/classify</c> answer (snake_case JSON); the same model and version are in the X-Model-Version header.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The version that answered (the live one, unless the request named one).</param>
/// <param name="Results">One per text, in request order.</param>
public sealed record ClassifyResponse(string Model, string Version, IReadOnlyList<ClassifyResult> Results);

/// <summary>The answer for one text.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Score">Its probability.</param>
/// <param name="Probabilities">Class probabilities, most probable first; the <c>top_k</c> first when the request asked.</param>
/// <param name="Truncated">The text was longer than the model's sequence length: only its head and tail were read.</param>
public sealed record ClassifyResult(string Label, float Score, IReadOnlyDictionary<string, float> Probabilities, bool Truncated);

/// <summary>The body of <c>GET /api/classify/health</c>.</summary>
/// <param name="State">The default model's state (<c>ready</c>, <c>loading</c>, <c>unavailable</c>); <c>ready</c> without a default model.</param>
/// <param name="DefaultModel">The default model, when one is configured.</param>
/// <param name="Models">Every model reference the cache holds.</param>
public sealed record HealthResponse(string State, Live.ModelStatus? DefaultModel, IReadOnlyList<Live.ModelStatus> Models);
