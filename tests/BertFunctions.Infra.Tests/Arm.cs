using System.Text.RegularExpressions;

namespace BertFunctions.Infra.Tests;

/// <summary>What the checks need to know about ARM expressions and ids, and the built-in roles by id.</summary>
internal static partial class Arm
{
    public static class Roles
    {
        public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
        public const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
        public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
        public const string StorageQueueDataMessageReader = "8a0f0c08-91a1-4084-bc3d-661d67233fed";
        public const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

        // Roles that must never be handed out by these templates (control plane or keys).
        public const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        public const string Contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";
        public const string UserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
        public const string StorageAccountContributor = "17d1049b-9a84-46fb-8f53-869881c3d3ab";

        public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [StorageBlobDataOwner] = "Storage Blob Data Owner",
            [StorageBlobDataContributor] = "Storage Blob Data Contributor",
            [StorageBlobDataReader] = "Storage Blob Data Reader",
            [StorageQueueDataContributor] = "Storage Queue Data Contributor",
            [StorageTableDataContributor] = "Storage Table Data Contributor",
            [StorageQueueDataMessageReader] = "Storage Queue Data Message Reader",
            [AcrPull] = "AcrPull",
            [MonitoringMetricsPublisher] = "Monitoring Metrics Publisher",
            [Owner] = "Owner",
            [Contributor] = "Contributor",
            [UserAccessAdministrator] = "User Access Administrator",
            [StorageAccountContributor] = "Storage Account Contributor",
        };

        public static string Name(string id) => Names.TryGetValue(id, out var name) ? name : id;
    }

    /// <summary>An ARM template expression (<c>[...]</c>, not the escaped literal <c>[[...</c>).</summary>
    public static bool IsExpression(string? value) =>
        value is not null && value.StartsWith('[') && !value.StartsWith("[[", StringComparison.Ordinal) && value.EndsWith(']');

    /// <summary>Whether an expression reads a property of the resource with this id: <c>reference('ID', ...).property</c>.</summary>
    public static bool References(string? expression, string resourceId, string property) =>
        IsExpression(expression) && expression!.Contains($"reference('{resourceId}', ", StringComparison.OrdinalIgnoreCase)
        && expression.Contains($").{property}", StringComparison.Ordinal);

    /// <summary>Exactly <c>[reference('ID', 'version').property]</c>.</summary>
    public static bool IsReference(string? expression, string resourceId, string property) =>
        expression is not null && ReferenceExpression().Match(expression) is { Success: true } m
        && string.Equals(m.Groups["id"].Value, resourceId, StringComparison.OrdinalIgnoreCase) && m.Groups["property"].Value == property;

    /// <summary>The resource id inside <c>[reference('ID', ...).principalId]</c>, or null.</summary>
    public static string? ReferencedId(string? expression) =>
        expression is not null && ReferenceExpression().Match(expression) is { Success: true } m ? m.Groups["id"].Value : null;

    /// <summary>The scope of an extension resource (a role assignment, diagnostic settings) from its id.</summary>
    public static string? ScopeOf(string? id, string extensionType)
    {
        if (id is null)
        {
            return null;
        }

        if (ExtensionResourceIdExpression().Match(id) is { Success: true } m)
        {
            return m.Groups["scope"].Value;
        }

        var marker = $"/providers/{extensionType}/";
        var at = id.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        return at < 0 ? null : id[..at];
    }

    /// <summary>The last segment of a role definition id (its GUID), or the whole text when it is not an id.</summary>
    public static string RoleId(string? roleDefinitionId) =>
        roleDefinitionId is null ? "" : roleDefinitionId[(roleDefinitionId.LastIndexOf('/') + 1)..];

    /// <summary>Secrets in a value: storage keys and SAS tokens, connection strings with keys, and any list*() call (which returns keys).</summary>
    public static bool LooksSecret(string? value) => value is not null && SecretPattern().IsMatch(value);

    [GeneratedRegex(@"^\[reference\('(?<id>[^']+)', '[^']+'\)\.(?<property>[\w.]+)\]$")]
    private static partial Regex ReferenceExpression();

    [GeneratedRegex(@"^\[extensionResourceId\('(?<scope>[^']+)', ")]
    private static partial Regex ExtensionResourceIdExpression();

    [GeneratedRegex(@"AccountKey=|SharedAccessKey|SharedAccessSignature|[?&;]sig=|DefaultEndpointsProtocol=|\blist[A-Za-z]*\(|primarySharedKey|secondarySharedKey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
