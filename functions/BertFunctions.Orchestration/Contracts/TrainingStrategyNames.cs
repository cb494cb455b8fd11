using System.Reflection;
using System.Text.Json.Serialization;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// A strategy's one name, the JSON one (<c>dapt+tapt</c>), used in requests, records, reports and the CLI; and its
/// slug (<c>dapt-tapt</c>) where a name enters an id, which allows letters, digits and hyphens only. The names are
/// the enum members' <see cref="JsonStringEnumMemberNameAttribute"/>s, so JSON and everything else cannot drift apart.
/// </summary>
public static class TrainingStrategyNames
{
    /// <summary>The name a request and a record use (the enum member's JSON name).</summary>
    public static string Name(TrainingStrategy strategy) =>
        typeof(TrainingStrategy).GetField(strategy.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "not a strategy");

    /// <summary>The name as it may appear in a run or job id.</summary>
    public static string Slug(TrainingStrategy strategy) => Name(strategy).Replace('+', '-');

    /// <summary>The strategy a name (as <see cref="Name"/> writes it, exactly) stands for; false for any other text.</summary>
    public static bool TryParse(string name, out TrainingStrategy strategy)
    {
        foreach (var candidate in Enum.GetValues<TrainingStrategy>())
        {
            if (Name(candidate) == name)
            {
                strategy = candidate;
                return true;
            }
        }

        strategy = default;
        return false;
    }
}
