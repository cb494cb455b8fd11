using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BertFunctions.Contracts.Storage;
using static BertFunctions.Infra.Tests.Json;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// The resilience of upload events: the system topic (upload-events.bicep, inside main.bicep) has a system-assigned
/// identity that may write only the dead-letter container, and the subscription (upload-subscription.bicep, deployed
/// by the functions service's postdeploy hook) dead-letters through that identity and delivers only the BlobCreated
/// events of completed blobs in the uploads container. Each check also runs on broken copies, which it must report.
/// </summary>
public sealed class UploadEventsTests(InfraTemplates infra)
{
    /// <summary>The container Event Grid writes undeliverable upload events to (main.bicep creates it).</summary>
    public const string DeadLetterContainer = "eventgrid-deadletter";

    /// <summary>The Blob Storage operations whose BlobCreated event means a complete blob (docs: Azure Blob Storage as an Event Grid source).</summary>
    public static readonly IReadOnlyList<string> CompletingOperations = ["PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose"];

    public static TheoryData<string> TopicCases => [.. TopicMutations.Keys];

    public static TheoryData<string> SubscriptionCases => [.. SubscriptionMutations.Keys];

    private static readonly Dictionary<string, (Action<Deployment> Break, string Reported)> TopicMutations = new()
    {
        ["topic without an identity"] = (d => Topic(d).Remove("identity"), "SystemAssigned"),
        ["topic with a user-assigned identity"] = (d => Topic(d)["identity"] = new JsonObject { ["type"] = "UserAssigned" }, "SystemAssigned"),
        ["dead-letter container missing"] = (d => d.Snapshot["predictedResources"]!.AsArray().Remove(d.OfType(InfraChecks.ContainerType).Single(c => Text(c["name"])!.EndsWith("/" + DeadLetterContainer, StringComparison.Ordinal))), DeadLetterContainer),
        ["topic role on the whole account"] = (d => TopicRole(d)["id"] = $"{Text(Topic(d)["properties"]!["source"])}/providers/Microsoft.Authorization/roleAssignments/{Guid.Empty}", "scoped to"),
        ["topic role on another container"] = (d => TopicRole(d)["id"] = Text(TopicRole(d)["id"])!.Replace($"/containers/{DeadLetterContainer}/", $"/containers/{StorageLayout.UploadsContainer}/", StringComparison.Ordinal), "scoped to"),
        ["topic with Blob Data Owner"] = (d => TopicRole(d)["properties"]!["roleDefinitionId"] = $"/providers/Microsoft.Authorization/roleDefinitions/{Arm.Roles.StorageBlobDataOwner}", "Storage Blob Data Contributor"),
        ["topic role typed as a user"] = (d => TopicRole(d)["properties"]!["principalType"] = "User", "principalType"),
        ["a second role for the topic"] = (d => d.Snapshot["predictedResources"]!.AsArray().Add(TopicRole(d).DeepClone()), "exactly one role"),
    };

    private static readonly Dictionary<string, (Action<JsonObject> Break, string Reported)> SubscriptionMutations = new()
    {
        ["no dead letters"] = (s => Properties(s).Remove("deadLetterWithResourceIdentity"), "deadLetterWithResourceIdentity"),
        ["dead letters with the account's keys"] = (s =>
        {
            var destination = At(Properties(s), "deadLetterWithResourceIdentity.deadLetterDestination")!.DeepClone();
            Properties(s).Remove("deadLetterWithResourceIdentity");
            Properties(s)["deadLetterDestination"] = destination;
        }, "deadLetterWithResourceIdentity"),
        ["dead letters with a user-assigned identity"] = (s => At(Properties(s), "deadLetterWithResourceIdentity.identity")!["type"] = "UserAssigned", "SystemAssigned"),
        ["dead letters to another container"] = (s => At(Properties(s), "deadLetterWithResourceIdentity.deadLetterDestination.properties")!["blobContainerName"] = StorageLayout.UploadsContainer, DeadLetterContainer),
        ["dead letters to another account"] = (s => At(Properties(s), "deadLetterWithResourceIdentity.deadLetterDestination.properties")!["resourceId"] = "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/other", "source account"),
        ["every event type"] = (s => At(Properties(s), "filter")!.AsObject().Remove("includedEventTypes"), "BlobCreated only"),
        ["BlobDeleted too"] = (s => At(Properties(s), "filter.includedEventTypes")!.AsArray().Add("Microsoft.Storage.BlobDeleted"), "BlobCreated only"),
        ["every container"] = (s => At(Properties(s), "filter")!["subjectBeginsWith"] = "/blobServices/default/containers/", "subjectBeginsWith"),
        ["no operation filter"] = (s => At(Properties(s), "filter")!.AsObject().Remove("advancedFilters"), "data.api"),
        ["an empty Data Lake file starts work"] = (s => Filter(s)["values"]!.AsArray().Add("CreateFile"), "CreateFile"),
        ["a completing operation left out"] = (s => Filter(s)["values"]!.AsArray().RemoveAt(0), "PutBlob"),
        ["the operation filter negated"] = (s => Filter(s)["operatorType"] = "StringNotIn", "StringIn"),
    };

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void The_topic_identity_is_system_assigned_and_may_write_only_the_dead_letter_container(string gpu)
    {
        Assert.Contains("modules/upload-events.bicep", infra.Compiled.Keys);
        Assert.Empty(UploadEventChecks.Topic(infra.Get(gpu), DeadLetterContainer));
    }

    [Fact]
    public void The_subscription_dead_letters_through_the_topic_identity_to_that_container()
    {
        Assert.Contains("modules/upload-subscription.bicep", infra.Compiled.Keys);
        Assert.Empty(UploadEventChecks.SubscriptionDeadLetters(infra.UploadSubscription, DeadLetterContainer));

        // The hooks deploy the subscription with its default container: it must be the one main.bicep creates and
        // upload-events.bicep grants the topic's identity (the checks above use the same name on both sides).
        var parameter = At(infra.Compiled["modules/upload-subscription.bicep"], "parameters.deadLetterContainer.defaultValue");
        Assert.Equal(DeadLetterContainer, Text(parameter));
        Assert.NotNull(At(infra.Compiled["modules/upload-events.bicep"], "outputs.deadLetterContainer"));
    }

    [Fact]
    public void The_subscription_delivers_only_completed_blobs_created_in_uploads()
    {
        var (_, container) = Repository.UploadTrigger;
        Assert.Equal(StorageLayout.UploadsContainer, container);
        Assert.Empty(UploadEventChecks.SubscriptionFilter(infra.UploadSubscription, container, CompletingOperations));
    }

    [Theory]
    [MemberData(nameof(TopicCases))]
    public void A_broken_topic_is_reported(string @case)
    {
        var (breakIt, reported) = TopicMutations[@case];
        Assert.Empty(UploadEventChecks.Topic(infra.T4, DeadLetterContainer));

        var broken = infra.T4.With(breakIt);

        Assert.Contains(UploadEventChecks.Topic(broken, DeadLetterContainer), p => p.Contains(reported, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SubscriptionCases))]
    public void A_broken_subscription_is_reported(string @case)
    {
        var (breakIt, reported) = SubscriptionMutations[@case];
        var broken = Clone(infra.UploadSubscription);

        breakIt(broken);

        var problems = UploadEventChecks.SubscriptionDeadLetters(broken, DeadLetterContainer)
            .Concat(UploadEventChecks.SubscriptionFilter(broken, StorageLayout.UploadsContainer, CompletingOperations));
        Assert.Contains(problems, p => p.Contains(reported, StringComparison.Ordinal));
    }

    private static JsonObject Topic(Deployment d) => Assert.Single(d.OfType(InfraChecks.SystemTopicType));

    private static JsonObject TopicRole(Deployment d)
    {
        var topic = Text(Topic(d)["id"]);
        return d.OfType(InfraChecks.RoleAssignmentType).First(a => string.Equals(UploadEventChecks.SystemIdentityOf(Text(At(a, "properties.principalId"))), topic, StringComparison.OrdinalIgnoreCase));
    }

    private static JsonObject Properties(JsonObject snapshot) =>
        (JsonObject)Assert.Single(snapshot["predictedResources"]!.AsArray(), r => Text(r?["type"]) == InfraChecks.EventSubscriptionType)!["properties"]!;

    private static JsonObject Filter(JsonObject snapshot) => (JsonObject)At(Properties(snapshot), "filter.advancedFilters")!.AsArray()[0]!;
}

/// <summary>The rules for the upload events, each a function from a snapshot to the list of its violations.</summary>
internal static partial class UploadEventChecks
{
    /// <summary>
    /// The system topic has a system-assigned identity, and that identity holds exactly one role: Storage Blob Data
    /// Contributor on the dead-letter container (which exists and is private).
    /// </summary>
    public static IReadOnlyList<string> Topic(Deployment d, string deadLetterContainer)
    {
        var problems = new List<string>();
        var topics = d.OfType(InfraChecks.SystemTopicType);
        if (topics.Count != 1)
        {
            return [$"expected one Event Grid system topic, found {topics.Count}"];
        }

        var topic = topics[0];
        var topicId = Text(topic["id"]);
        Require(Text(At(topic, "identity.type")) == "SystemAssigned", $"system topic: identity.type must be SystemAssigned (it dead-letters with it), is {Serialize(At(topic, "identity.type"))}");

        var container = d.OfType(InfraChecks.ContainerType).FirstOrDefault(c => Text(c["name"])?.Split('/')[^1] == deadLetterContainer);
        if (!Require(container is not null, $"the dead-letter container {deadLetterContainer} is not created"))
        {
            return problems;
        }

        Require(Text(At(container, "properties.publicAccess")) == "None", $"container {deadLetterContainer}: publicAccess must be None");
        var roles = d.OfType(InfraChecks.RoleAssignmentType)
            .Where(a => string.Equals(SystemIdentityOf(Text(At(a, "properties.principalId"))), topicId, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (!Require(roles.Count == 1, $"the system topic's identity must hold exactly one role, holds {roles.Count}"))
        {
            return problems;
        }

        var role = roles[0];
        var scope = Arm.ScopeOf(Text(role["id"]), InfraChecks.RoleAssignmentType);
        Require(string.Equals(scope, Text(container!["id"]), StringComparison.OrdinalIgnoreCase), $"the system topic's role must be scoped to the {deadLetterContainer} container, is scoped to {scope}");
        var roleId = Arm.RoleId(Text(At(role, "properties.roleDefinitionId")));
        Require(roleId == Arm.Roles.StorageBlobDataContributor, $"the system topic's role must be Storage Blob Data Contributor, is {Arm.Roles.Name(roleId)}");
        Require(Text(At(role, "properties.principalType")) == "ServicePrincipal", "the system topic's role: principalType of a managed identity is ServicePrincipal");
        return problems;

        bool Require(bool condition, string problem)
        {
            if (!condition)
            {
                problems.Add(problem);
            }

            return condition;
        }
    }

    /// <summary>
    /// The snapshot of upload-subscription.bicep dead-letters with the topic's system-assigned identity (no plain
    /// deadLetterDestination, which would need the account's keys) to the dead-letter container of the topic's source account.
    /// </summary>
    public static IReadOnlyList<string> SubscriptionDeadLetters(JsonObject snapshot, string deadLetterContainer)
    {
        var problems = new List<string>();
        if (Subscription(snapshot) is not { } subscription)
        {
            return ["expected one event subscription"];
        }

        var properties = subscription["properties"];
        var topicId = SubscriptionTopic(Text(subscription["id"]));
        var deadLetter = At(properties, "deadLetterWithResourceIdentity");
        if (At(properties, "deadLetterDestination") is not null)
        {
            problems.Add("event subscription: a plain deadLetterDestination writes with the account's keys (off); use deadLetterWithResourceIdentity");
        }

        if (deadLetter is null)
        {
            problems.Add("event subscription: no deadLetterWithResourceIdentity (undeliverable events would be lost)");
            return problems;
        }

        if (Text(At(deadLetter, "identity.type")) != "SystemAssigned")
        {
            problems.Add($"event subscription: dead letters must be written with the topic's SystemAssigned identity, not {Serialize(At(deadLetter, "identity"))}");
        }

        if (Text(At(deadLetter, "deadLetterDestination.endpointType")) != "StorageBlob")
        {
            problems.Add("event subscription: the dead-letter destination must be StorageBlob");
        }

        var resourceId = Text(At(deadLetter, "deadLetterDestination.properties.resourceId"));
        if (!Arm.IsReference(resourceId, topicId ?? "", "source"))
        {
            problems.Add($"event subscription: dead letters must go to the topic's source account (reference('{topicId}', ...).source), go to {resourceId}");
        }

        var container = Text(At(deadLetter, "deadLetterDestination.properties.blobContainerName"));
        if (container != deadLetterContainer)
        {
            problems.Add($"event subscription: dead letters must go to the {deadLetterContainer} container, go to {container}");
        }

        return problems;
    }

    /// <summary>BlobCreated only, in the container only, and only from the operations that complete a blob.</summary>
    public static IReadOnlyList<string> SubscriptionFilter(JsonObject snapshot, string container, IReadOnlyCollection<string> completingOperations)
    {
        var problems = new List<string>();
        if (Subscription(snapshot) is not { } subscription)
        {
            return ["expected one event subscription"];
        }

        var filter = At(subscription, "properties.filter");
        if (Serialize(At(filter, "includedEventTypes")) != """["Microsoft.Storage.BlobCreated"]""")
        {
            problems.Add($"event subscription: BlobCreated only, is {Serialize(At(filter, "includedEventTypes"))}");
        }

        if (Text(At(filter, "subjectBeginsWith")) != $"/blobServices/default/containers/{container}/")
        {
            problems.Add($"event subscription: subjectBeginsWith must be the {container} container, is {Serialize(At(filter, "subjectBeginsWith"))}");
        }

        var advanced = Items(At(filter, "advancedFilters"));
        var api = advanced.Where(f => Text(At(f, "key")) == "data.api").ToList();
        if (api.Count != 1 || advanced.Count != 1)
        {
            problems.Add($"event subscription: one advanced filter, on data.api, expected; found {Serialize(At(filter, "advancedFilters"))}");
            return problems;
        }

        if (Text(At(api[0], "operatorType")) != "StringIn")
        {
            problems.Add($"event subscription: the data.api filter must be StringIn, is {Serialize(At(api[0], "operatorType"))}");
        }

        var values = Items(At(api[0], "values")).Select(Text).ToList();
        foreach (var missing in completingOperations.Except(values, StringComparer.Ordinal))
        {
            problems.Add($"event subscription: data.api must include {missing}");
        }

        foreach (var extra in values.Except(completingOperations, StringComparer.Ordinal))
        {
            problems.Add($"event subscription: data.api must not include {extra} (it does not complete a blob)");
        }

        return problems;
    }

    /// <summary>The resource whose system-assigned identity <c>[reference('ID', 'version', 'full').identity.principalId]</c> names, or null.</summary>
    public static string? SystemIdentityOf(string? principalId) =>
        principalId is not null && SystemIdentityReference().Match(principalId) is { Success: true } m ? m.Groups["id"].Value : null;

    private static JsonObject? Subscription(JsonObject snapshot)
    {
        var subscriptions = (snapshot["predictedResources"]?.AsArray() ?? []).Where(r => Text(r?["type"]) == InfraChecks.EventSubscriptionType).ToList();
        return subscriptions.Count == 1 ? subscriptions[0]!.AsObject() : null;
    }

    /// <summary>The system topic of an event subscription, from its id (<c>.../systemTopics/T/eventSubscriptions/S</c>).</summary>
    private static string? SubscriptionTopic(string? subscriptionId)
    {
        var at = subscriptionId?.LastIndexOf("/eventSubscriptions/", StringComparison.OrdinalIgnoreCase) ?? -1;
        return at < 0 ? null : subscriptionId![..at];
    }

    [GeneratedRegex(@"^\[reference\('(?<id>[^']+)', '[^']+', 'full'\)\.identity\.principalId\]$")]
    private static partial Regex SystemIdentityReference();
}
