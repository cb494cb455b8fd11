using System.Reflection;
using System.Text.Json.Serialization;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// A strategy's one name, the JSON one (<c>dapt+tapt</c>), used in requests, records, reports and the CLI; and its
/// slug (<c>dapt-tapt</c>) where a name enters an id, which allows letters, digits and hyphens only.
/// </summary>
public static class TrainingStrategyNames
{
    /// <summary>The name a request and a record use (the enum member's JSON name).</summary>
    public static string Name(TrainingStrategy strategy) =>
        typeof(TrainingStrategy).GetField(strategy.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "not a strategy");

    /// <summary>The name as it may appear in a run or job id.</summary>
    public static string Slug(TrainingStrategy strategy) => Name(strategy).Replace('+', '-');
}
