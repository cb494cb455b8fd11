namespace BertFunctions.Serving.Live;

/// <summary>Where one model reference stands, for the health endpoint.</summary>
/// <param name="Model">The reference: a name, or name/version.</param>
/// <param name="State"><c>ready</c>, <c>loading</c> or <c>unavailable</c>.</param>
/// <param name="Version">The version serving now, if any.</param>
/// <param name="LoadedAt">When it was loaded.</param>
/// <param name="LoadMs">Download (when not cached), tokenizer and session creation.</param>
/// <param name="WarmUpMs">Its warm-up inference, run before it took traffic.</param>
/// <param name="CheckedAt">When live.json was last read (a live name) or the load last ran.</param>
/// <param name="Problem">Why the last check did not give a (new) model.</param>
/// <param name="Tokenization">Where its tokenization settings came from.</param>
/// <param name="MaxSeqLen">Its sequence length: longer texts are truncated.</param>
/// <param name="Quantization">How its session runs: <c>none</c> (float32) or <c>int8</c> (Serving:Quantization).</param>
public sealed record ModelStatus(
    string Model,
    string State,
    string? Version,
    DateTimeOffset? LoadedAt,
    double? LoadMs,
    double? WarmUpMs,
    DateTimeOffset? CheckedAt,
    string? Problem,
    string? Tokenization,
    int? MaxSeqLen,
    string? Quantization)
{
    public const string Ready = "ready", Loading = "loading", Unavailable = "unavailable";
}
