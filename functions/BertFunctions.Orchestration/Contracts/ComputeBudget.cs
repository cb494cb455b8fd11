using System.Globalization;
using System.Text.RegularExpressions;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// How much training an experiment may spend, as the user says it: wall time on the trainer (<c>2h</c>, <c>90m</c>,
/// <c>5400s</c>) or a token count (<c>150M tokens</c>, <c>1.5e8 tokens</c>: token positions through the base model, the
/// unit of <see cref="BertFunctions.Contracts.Training.JobCost.Tokens"/>). The planner turns either into training FLOPs (6 × parameters
/// × tokens), the one unit in which a small model from scratch and MiniLM cost comparably.
/// </summary>
public sealed partial record ComputeBudget(TimeSpan? Time, long? Tokens)
{
    /// <summary>The largest budget accepted: a week, or 10¹³ tokens.</summary>
    public static readonly TimeSpan MaxTime = TimeSpan.FromDays(7);

    public const long MaxTokens = 10_000_000_000_000;

    /// <summary>Parses <paramref name="text"/>; a <see cref="RunRequestException"/> names what is accepted.</summary>
    public static ComputeBudget Parse(string text)
    {
        var match = Pattern().Match(text ?? "");
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0 || double.IsInfinity(n))
        {
            throw new RunRequestException($"compute_budget '{text}' is not a budget: a positive time (2h, 90m, 5400s) or a token count (150M tokens, 1.5e8 tokens)");
        }

        var unit = match.Groups["unit"].Value.ToLowerInvariant();
        if (unit.EndsWith("tokens", StringComparison.Ordinal))
        {
            var scale = unit[0] switch { 'k' => 1e3, 'm' => 1e6, 'b' or 'g' => 1e9, _ => 1 };
            var tokens = n * scale;
            return tokens is < 1 or > MaxTokens
                ? throw new RunRequestException($"compute_budget '{text}' must be 1 to {MaxTokens:G2} tokens")
                : new ComputeBudget(null, (long)tokens);
        }

        var seconds = n * unit switch { "h" => 3600, "m" or "min" => 60, _ => 1 };
        return seconds > MaxTime.TotalSeconds || seconds < 1
            ? throw new RunRequestException($"compute_budget '{text}' must be 1 s to {MaxTime.TotalDays:0} days")
            : new ComputeBudget(TimeSpan.FromSeconds(seconds), null);
    }

    public override string ToString() => Time is { } t
        ? t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0.##} h") : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min")
        : string.Create(CultureInfo.InvariantCulture, $"{Tokens:N0} tokens");

    [GeneratedRegex(@"^\s*(?<n>[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)\s*(?<unit>h|min|m|s|[kmbgKMBG]?\s*tokens)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
