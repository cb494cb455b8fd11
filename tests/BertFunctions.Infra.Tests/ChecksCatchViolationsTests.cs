using System.Text.Json.Nodes;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// The checks are able to fail: each case breaks one property in a copy of the real snapshot (or compiled template, or
/// Dockerfile) and the check that guards it must report it.
/// </summary>
public sealed class ChecksCatchViolationsTests(InfraTemplates infra)
{
    public static TheoryData<string> Cases => [.. Mutations.Keys];

    private static readonly Dictionary<string, (Action<Deployment> Break, Func<Deployment, IReadOnlyList<string>> Check, string Reported)> Mutations = new()
    {
        ["shared keys allowed"] = (d => Set(Resource(d, InfraChecks.StorageAccountType), "properties.allowSharedKeyAccess", true), InfraChecks.StorageAccount, "allowSharedKeyAccess"),
        ["shared keys left to an expression"] = (d => Set(Resource(d, InfraChecks.StorageAccountType), "properties.allowSharedKeyAccess", "[parameters('allowKeys')]"), InfraChecks.StorageAccount, "allowSharedKeyAccess"),
        ["shared keys setting removed"] = (d => Remove(Resource(d, InfraChecks.StorageAccountType), "properties.allowSharedKeyAccess"), InfraChecks.StorageAccount, "allowSharedKeyAccess"),
        ["public blob access"] = (d => Set(Resource(d, InfraChecks.StorageAccountType), "properties.allowBlobPublicAccess", true), InfraChecks.StorageAccount, "allowBlobPublicAccess"),
        ["TLS 1.0"] = (d => Set(Resource(d, InfraChecks.StorageAccountType), "properties.minimumTlsVersion", "TLS1_0"), InfraChecks.StorageAccount, "minimumTlsVersion"),
        ["plain http"] = (d => Set(Resource(d, InfraChecks.StorageAccountType), "properties.supportsHttpsTrafficOnly", false), InfraChecks.StorageAccount, "supportsHttpsTrafficOnly"),
        ["a public container"] = (d => Set(Resource(d, InfraChecks.ContainerType, "/uploads"), "properties.publicAccess", "Blob"), InfraChecks.StorageAccount, "publicAccess"),
        ["a queue missing"] = (d => d.Snapshot["predictedResources"]!.AsArray().Remove(Resource(d, InfraChecks.QueueType, "/" + TrainingQueues.Events)),
            d => InfraChecks.StorageContents(d, SecurityTests.ExpectedContainers, Repository.Queues), "missing training-events"),
        ["host storage as a connection string"] = (d => AddSetting(d, "AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc=="), FunctionApp, "AzureWebJobsStorage"),
        ["an account key in a setting"] = (d => AddSetting(d, "BERTFN_STORAGE__accountKey", "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'x'), '2025-01-01').keys[0].value]"), FunctionApp, "BERTFN_STORAGE__accountKey"),
        ["trigger connection without its identity"] = (d => RemoveSetting(d, "BERTFN_STORAGE__clientId"), FunctionApp, "BERTFN_STORAGE__clientId"),
        ["trigger connection without its queue endpoint"] = (d => RemoveSetting(d, "BERTFN_STORAGE__queueServiceUri"), FunctionApp, "BERTFN_STORAGE__queueServiceUri"),
        ["Durable Task hub without tables"] = (d => RemoveSetting(d, "AzureWebJobsStorage__tableServiceUri"), FunctionApp, "AzureWebJobsStorage__tableServiceUri"),
        ["another .NET version"] = (d => Set(Resource(d, InfraChecks.SiteType), "properties.functionAppConfig.runtime.version", "8.0"), FunctionApp, "runtime version"),
        ["app over http"] = (d => Set(Resource(d, InfraChecks.SiteType), "properties.httpsOnly", false), FunctionApp, "httpsOnly"),
        ["app with TLS 1.0"] = (d => Set(Resource(d, InfraChecks.SiteType), "properties.siteConfig.minTlsVersion", "1.0"), FunctionApp, "minTlsVersion"),
        ["a site property Flex Consumption rejects"] = (d => Set(Resource(d, InfraChecks.SiteType), "properties.siteConfig.ftpsState", "Disabled"), FunctionApp, "ftpsState"),
        ["no always-ready durable instance"] = (d => Set(Resource(d, InfraChecks.SiteType), "properties.functionAppConfig.scaleAndConcurrency.alwaysReady", new JsonArray()), FunctionApp, "always-ready"),
        ["the trainer may write live pointers"] = (d => RemoveCondition(d), d => InfraChecks.TrainerCannotPromote(d, StorageLayout.ModelsContainer), "condition"),
        ["basic auth publishing"] = (d => Set(Resource(d, InfraChecks.PublishingPolicyType, "/scm"), "properties.allow", true), FunctionApp, "scm"),
        ["telemetry with the instrumentation key"] = (d => RemoveSetting(d, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"), FunctionApp, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"),
        ["KEDA rule with a connection secret"] = (d =>
        {
            var rule = Rule(d);
            rule.Remove("identity");
            rule["auth"] = new JsonArray(new JsonObject { ["secretRef"] = "queue-connection", ["triggerParameter"] = "connection" });
        }, Trainer, "identity"),
        ["KEDA rule on another queue"] = (d => Rule(d)["metadata"]!["queueName"] = TrainingQueues.Events, Trainer, "must watch training-jobs"),
        ["trainer storage as a connection string"] = (d => TrainerEnv(d, "BERTFN_STORAGE")["value"] = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==", Trainer, "BERTFN_STORAGE"),
        ["registry pulled with a password"] = (d => Set(Resource(d, InfraChecks.JobType), "properties.configuration.registries", new JsonArray(new JsonObject { ["server"] = "x.azurecr.io", ["username"] = "x", ["passwordSecretRef"] = "acr" })), Trainer, "password"),
        ["trainer on the CPU profile"] = (d => Set(Resource(d, InfraChecks.JobType), "properties.workloadProfileName", "Consumption"), Trainer, "workload profile"),
        ["registry admin user"] = (d => Set(Resource(d, InfraChecks.RegistryType), "properties.adminUserEnabled", true), InfraChecks.Registry, "adminUserEnabled"),
        ["Contributor for the trainer"] = (d => AddRoleAssignment(d, Arm.Roles.Contributor, TrainerIdentity(d)), Roles, "Contributor must never be assigned"),
        ["trainer blob access on the whole account"] = (d => AddRoleAssignment(d, Arm.Roles.StorageBlobDataContributor, TrainerIdentity(d)), Roles, "unexpected trainer: Storage Blob Data Contributor @ Microsoft.Storage/storageAccounts"),
        ["a role assignment dropped"] = (d => d.Snapshot["predictedResources"]!.AsArray().Remove(d.OfType(InfraChecks.RoleAssignmentType).First(r => Json.Serialize(r).Contains(Arm.Roles.AcrPull, StringComparison.Ordinal))), Roles, "missing trainer: AcrPull"),
        ["Application Insights with local auth"] = (d => Set(Resource(d, InfraChecks.AppInsightsType), "properties.DisableLocalAuth", false), InfraChecks.Monitoring, "DisableLocalAuth"),
        ["trainer logs through the workspace key"] = (d => Set(Resource(d, InfraChecks.EnvironmentType), "properties.appLogsConfiguration", new JsonObject { ["destination"] = "log-analytics", ["logAnalyticsConfiguration"] = new JsonObject { ["customerId"] = "x", ["sharedKey"] = "[listKeys('w', '2025-02-01').primarySharedKey]" } }), InfraChecks.Monitoring, "shared key"),
        ["a key read anywhere"] = (d => Set(Resource(d, InfraChecks.EnvironmentType), "properties.daprAIConnectionString", "[listKeys('/subscriptions/x/resourceGroups/y/providers/Microsoft.Insights/components/z', '2020-02-02').InstrumentationKey]"), InfraChecks.NoKeysAnywhere, "reads a key"),
        ["a key in the outputs"] = (d => d.Outputs!["STORAGE_KEY"] = "[listKeys('/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z', '2025-01-01').keys[0].value]", InfraChecks.SnapshotOutputs, "STORAGE_KEY"),
        ["the topic on another account"] = (d => Set(Resource(d, InfraChecks.SystemTopicType), "properties.source", "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/other"), InfraChecks.UploadTopic, "system topic"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_broken_deployment_is_reported(string @case)
    {
        var (breakIt, check, reported) = Mutations[@case];
        Assert.Empty(check(infra.T4));

        var broken = infra.T4.With(breakIt);

        var problems = check(broken);
        Assert.Contains(problems, p => p.Contains(reported, StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_output_in_a_nested_module_is_reported()
    {
        var main = Json.Clone(infra.Compiled["main.bicep"]);
        var module = main["resources"]!.AsArray().First(r => Json.Text(r!["type"]) == "Microsoft.Resources/deployments" && Json.Text(r["name"]) == "storage")!;
        module["properties"]!["template"]!["outputs"]!.AsObject()["connectionString"] = new JsonObject
        {
            ["type"] = "string",
            ["value"] = "[format('DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1}', parameters('name'), listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('name')), '2025-01-01').keys[0].value)]",
        };

        var problems = InfraChecks.CompiledOutputs(main, "main.bicep");

        Assert.Contains(problems, p => p.Contains("main.bicep > storage: output connectionString", StringComparison.Ordinal));
    }

    [Fact]
    public void A_subscription_to_another_function_or_container_is_reported()
    {
        var (function, container) = Repository.UploadTrigger;
        Assert.Empty(InfraChecks.UploadSubscription(infra.UploadSubscription, InfraTemplates.SubscriptionAppId, function, container));

        Assert.NotEmpty(InfraChecks.UploadSubscription(infra.UploadSubscription, InfraTemplates.SubscriptionAppId, "SomethingElse", container));
        Assert.NotEmpty(InfraChecks.UploadSubscription(infra.UploadSubscription, InfraTemplates.SubscriptionAppId, function, "datasets"));
    }

    [Theory]
    [InlineData("USER root", "root")]
    [InlineData("USER 0:0", "root")]
    [InlineData("", "no USER")]
    public void A_trainer_image_that_runs_as_root_is_reported(string user, string reported)
    {
        var dockerfile = Repository.Dockerfile;
        Assert.Contains("\nUSER 10001:10001", dockerfile, StringComparison.Ordinal);

        var broken = dockerfile.Replace("\nUSER 10001:10001", user.Length == 0 ? "" : "\n" + user, StringComparison.Ordinal);

        Assert.Contains(InfraChecks.DockerfileUser(broken), p => p.Contains(reported, StringComparison.Ordinal));
    }

    [Fact]
    public void A_user_set_only_in_an_earlier_stage_is_reported()
    {
        const string dockerfile = """
            FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
            USER 10001
            FROM mcr.microsoft.com/dotnet/runtime:10.0 \
                AS final
            ENTRYPOINT ["dotnet", "x.dll"]
            """;

        Assert.Contains(InfraChecks.DockerfileUser(dockerfile), p => p.Contains("no USER", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> FunctionApp(Deployment d) => InfraChecks.FunctionApp(d, Repository.DotnetVersion, Repository.TriggerConnections);

    private static IReadOnlyList<string> Trainer(Deployment d) => InfraChecks.Trainer(d, TrainingQueues.Jobs);

    private static IReadOnlyList<string> Roles(Deployment d) => InfraChecks.RoleAssignmentProblems(d, InfraTemplates.DeployerPrincipalId, SecurityTests.ExpectedRoleAssignments);

    private static JsonObject Resource(Deployment d, string type, string nameEndsWith = "") =>
        d.OfType(type).Single(r => Json.Text(r["name"])!.EndsWith(nameEndsWith, StringComparison.Ordinal));

    private static void Set(JsonObject resource, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = resource;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject next)
            {
                node[part] = next = new JsonObject();
            }

            node = next;
        }

        node[parts[^1]] = value;
    }

    private static void Remove(JsonObject resource, string path)
    {
        var parts = path.Split('.');
        var parent = Json.At(resource, string.Join('.', parts[..^1])) as JsonObject;
        Assert.True(parent?.Remove(parts[^1]), $"{path} was not there to remove");
    }

    private static JsonArray Settings(Deployment d) => Json.At(Resource(d, InfraChecks.SiteType), "properties.siteConfig.appSettings")!.AsArray();

    private static void AddSetting(Deployment d, string name, string value) => Settings(d).Add(new JsonObject { ["name"] = name, ["value"] = value });

    private static void RemoveSetting(Deployment d, string name) =>
        Assert.True(Settings(d).Remove(Settings(d).Single(s => Json.Text(s!["name"]) == name)));

    private static void RemoveCondition(Deployment d)
    {
        var assignment = (JsonObject)d.OfType(InfraChecks.RoleAssignmentType).First(a => Json.Text(Json.At(a, "properties.condition")) is not null);
        var properties = (JsonObject)assignment["properties"]!;
        properties.Remove("condition");
        properties.Remove("conditionVersion");
    }

    private static JsonObject Rule(Deployment d) =>
        Json.At(Resource(d, InfraChecks.JobType), "properties.configuration.eventTriggerConfig.scale.rules")!.AsArray()[0]!.AsObject();

    private static JsonObject TrainerEnv(Deployment d, string name) =>
        Json.At(Resource(d, InfraChecks.JobType), "properties.template.containers")!.AsArray()[0]!["env"]!.AsArray().Single(e => Json.Text(e!["name"]) == name)!.AsObject();

    private static string TrainerIdentity(Deployment d) =>
        Json.At(Resource(d, InfraChecks.JobType), "identity.userAssignedIdentities")!.AsObject().Single().Key;

    /// <summary>A role assignment for an identity on the Storage account, written the way the snapshot writes them.</summary>
    private static void AddRoleAssignment(Deployment d, string role, string identityId)
    {
        var scope = Json.Text(Resource(d, InfraChecks.StorageAccountType)["id"]);
        d.Snapshot["predictedResources"]!.AsArray().Add(new JsonObject
        {
            ["id"] = $"[extensionResourceId('{scope}', 'Microsoft.Authorization/roleAssignments', guid('{scope}', '{role}'))]",
            ["type"] = InfraChecks.RoleAssignmentType,
            ["name"] = $"[guid('{scope}', '{role}')]",
            ["apiVersion"] = "2022-04-01",
            ["properties"] = new JsonObject
            {
                ["principalId"] = $"[reference('{identityId}', '2024-11-30').principalId]",
                ["principalType"] = "ServicePrincipal",
                ["roleDefinitionId"] = $"/subscriptions/{InfraTemplates.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            },
        });
    }
}
