using System.Text.Json.Nodes;
using static BertFunctions.Infra.Tests.Json;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// The security and consistency rules for the templates, each a function from a deployment snapshot (or a compiled
/// template, or the Dockerfile) to the list of its violations. Resources are found by type and read property by
/// property; security properties must be JSON literals (an expression that might be true is a violation). The tests
/// run each check on the real templates (no violations) and on deliberately broken copies (the violation is reported).
/// </summary>
internal static class InfraChecks
{
    public const string StorageAccountType = "Microsoft.Storage/storageAccounts";
    public const string ContainerType = "Microsoft.Storage/storageAccounts/blobServices/containers";
    public const string QueueType = "Microsoft.Storage/storageAccounts/queueServices/queues";
    public const string SiteType = "Microsoft.Web/sites";
    public const string PlanType = "Microsoft.Web/serverfarms";
    public const string PublishingPolicyType = "Microsoft.Web/sites/basicPublishingCredentialsPolicies";
    public const string JobType = "Microsoft.App/jobs";
    public const string EnvironmentType = "Microsoft.App/managedEnvironments";
    public const string RegistryType = "Microsoft.ContainerRegistry/registries";
    public const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";
    public const string AppInsightsType = "Microsoft.Insights/components";
    public const string WorkspaceType = "Microsoft.OperationalInsights/workspaces";
    public const string DiagnosticSettingsType = "Microsoft.Insights/diagnosticSettings";
    public const string SystemTopicType = "Microsoft.EventGrid/systemTopics";
    public const string EventSubscriptionType = "Microsoft.EventGrid/systemTopics/eventSubscriptions";

    /// <summary>The serverless GPU workload profiles and the machine a replica on them gets.</summary>
    public static readonly IReadOnlyDictionary<string, (string Type, int Cpu, string Memory)> GpuProfiles = new Dictionary<string, (string, int, string)>
    {
        ["T4"] = ("Consumption-GPU-NC8as-T4", 8, "56Gi"),
        ["A100"] = ("Consumption-GPU-NC24-A100", 24, "220Gi"),
    };

    /// <summary>Site properties the Flex Consumption plan deprecates (docs: Flex Consumption plan deprecations), as ARM paths.</summary>
    public static readonly IReadOnlyList<string> FlexDeprecatedSiteProperties =
    [
        "properties.siteConfig.ftpsState", "properties.siteConfig.alwaysOn", "properties.siteConfig.linuxFxVersion",
        "properties.siteConfig.netFrameworkVersion", "properties.siteConfig.javaVersion", "properties.siteConfig.powerShellVersion",
        "properties.siteConfig.use32BitWorkerProcess", "properties.siteConfig.windowsFxVersion", "properties.siteConfig.functionAppScaleLimit",
        "properties.siteConfig.preWarmedInstanceCount", "properties.containerSize", "properties.isXenon",
    ];

    // ---- Storage ----

    public static IReadOnlyList<string> StorageAccount(Deployment d)
    {
        var p = new Problems();
        var accounts = d.OfType(StorageAccountType);
        p.Require(accounts.Count == 1, $"expected one Storage account, found {accounts.Count}");
        foreach (var account in accounts)
        {
            var name = Text(account["name"]);
            p.Require(Is(At(account, "properties.allowSharedKeyAccess"), false), $"Storage account {name}: allowSharedKeyAccess must be the literal false (no account keys, so no key connection strings or SAS)");
            p.Require(Is(At(account, "properties.allowBlobPublicAccess"), false), $"Storage account {name}: allowBlobPublicAccess must be the literal false");
            p.Require(Text(At(account, "properties.minimumTlsVersion")) is "TLS1_2" or "TLS1_3", $"Storage account {name}: minimumTlsVersion must be TLS1_2 or later, is {Serialize(At(account, "properties.minimumTlsVersion"))}");
            p.Require(Is(At(account, "properties.supportsHttpsTrafficOnly"), true), $"Storage account {name}: supportsHttpsTrafficOnly must be the literal true");
            p.Require(Is(At(account, "properties.defaultToOAuthAuthentication"), true), $"Storage account {name}: defaultToOAuthAuthentication must be the literal true");
        }

        foreach (var container in d.OfType(ContainerType))
        {
            p.Require(Text(At(container, "properties.publicAccess")) == "None", $"container {Text(container["name"])}: publicAccess must be None, is {Serialize(At(container, "properties.publicAccess"))}");
        }

        return p;
    }

    public static IReadOnlyList<string> StorageContents(Deployment d, IReadOnlyCollection<string> containers, IReadOnlyCollection<string> queues)
    {
        var p = new Problems();
        p.SameSet("containers", containers, [.. d.OfType(ContainerType).Select(LastSegment)]);
        p.SameSet("queues", queues, [.. d.OfType(QueueType).Select(LastSegment)]);
        return p;
    }

    // ---- Functions app ----

    public static IReadOnlyList<string> FunctionApp(Deployment d, string dotnetVersion, IReadOnlyCollection<string> triggerConnections)
    {
        var p = new Problems();
        var sites = d.OfType(SiteType);
        if (!p.Require(sites.Count == 1, $"expected one Functions app, found {sites.Count}"))
        {
            return p;
        }

        var site = sites[0];
        var siteId = Text(site["id"])!;
        var identity = UserAssignedIdentity(site, "Functions app", p);
        var storageId = d.OfType(StorageAccountType).Select(a => Text(a["id"])).FirstOrDefault() ?? "(no storage account)";
        var appInsightsId = d.OfType(AppInsightsType).Select(a => Text(a["id"])).FirstOrDefault() ?? "(no Application Insights)";

        p.Require(Text(site["kind"])?.Contains("functionapp", StringComparison.OrdinalIgnoreCase) == true, $"{siteId}: kind must be a function app");
        var plan = d.ById(Text(At(site, "properties.serverFarmId")) ?? "");
        p.Require(plan is not null && Text(At(plan, "sku.name")) == "FC1" && Text(At(plan, "sku.tier")) == "FlexConsumption", "the Functions app's plan must be Flex Consumption (FC1)");
        p.Require(Is(At(site, "properties.httpsOnly"), true), "Functions app: httpsOnly must be the literal true");
        p.Require(Text(At(site, "properties.siteConfig.minTlsVersion")) is "1.2" or "1.3", "Functions app: siteConfig.minTlsVersion must be 1.2 or later");
        p.Require(Text(At(site, "properties.siteConfig.scmMinTlsVersion")) is "1.2" or "1.3", "Functions app: siteConfig.scmMinTlsVersion must be 1.2 or later");
        // Flex Consumption rejects (or ignores) the deprecated site properties: none may be set (FTP is off through the
        // publishing-credentials policy below instead of ftpsState).
        foreach (var deprecated in FlexDeprecatedSiteProperties)
        {
            p.Require(At(site, deprecated) is null, $"Functions app: {deprecated} is not supported on Flex Consumption and must not be set");
        }

        var scale = At(site, "properties.functionAppConfig.scaleAndConcurrency");
        p.Require(Items(At(scale, "alwaysReady")).Any(r => Text(At(r, "name")) == "durable" && Int(At(r, "instanceCount")) >= 1), "Functions app: the durable group needs an always-ready instance (Durable Functions on Flex Consumption)");
        p.Require(Items(At(site, "properties.siteConfig.connectionStrings")).Count == 0, "Functions app: no connection strings (siteConfig.connectionStrings)");
        p.Require(Text(At(site, "properties.functionAppConfig.runtime.name")) == "dotnet-isolated", "Functions app: runtime must be dotnet-isolated");
        p.Require(Text(At(site, "properties.functionAppConfig.runtime.version")) == dotnetVersion, $"Functions app: runtime version must be {dotnetVersion} (the projects' target framework), is {Serialize(At(site, "properties.functionAppConfig.runtime.version"))}");

        var deployment = At(site, "properties.functionAppConfig.deployment.storage.authentication");
        p.Require(Text(At(deployment, "type")) == "UserAssignedIdentity" && Text(At(deployment, "userAssignedIdentityResourceId")) == identity, "Functions app: the deployment package must be read with the app's user-assigned identity");
        p.Require(At(deployment, "storageAccountConnectionStringName") is null, "Functions app: no connection string for the deployment package");

        foreach (var policy in new[] { "ftp", "scm" })
        {
            var resource = d.OfType(PublishingPolicyType).FirstOrDefault(r => Text(r["id"]) == $"{siteId}/basicPublishingCredentialsPolicies/{policy}");
            p.Require(resource is not null && Is(At(resource, "properties.allow"), false), $"Functions app: basic publishing credentials ({policy}) must be disabled");
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in Items(At(site, "properties.siteConfig.appSettings")))
        {
            var name = Text(At(setting, "name")) ?? "";
            p.Require(settings.TryAdd(name, Text(At(setting, "value"))), $"app setting {name} appears twice");
        }

        foreach (var (name, value) in settings)
        {
            p.Require(!Arm.LooksSecret(value), $"app setting {name} holds a key, SAS or list*() result: {value}");
            p.Require(!name.Contains("AccountKey", StringComparison.OrdinalIgnoreCase) && !name.Contains("SasToken", StringComparison.OrdinalIgnoreCase), $"app setting {name} names a key");
        }

        // Flex Consumption refuses these, and the content-share ones are key-based Azure Files connections.
        foreach (var refused in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE" })
        {
            p.Require(!settings.ContainsKey(refused), $"app setting {refused} must not be set (Flex Consumption / key-based)");
        }

        // Identity-based connections: the host's and every trigger connection the code names.
        foreach (var connection in triggerConnections.Prepend("AzureWebJobsStorage").Distinct(StringComparer.OrdinalIgnoreCase))
        {
            p.Require(!settings.ContainsKey(connection), $"app setting {connection} is a connection string; use {connection}__blobServiceUri etc. with the managed identity");
            p.Require(settings.GetValueOrDefault($"{connection}__credential") == "managedidentity", $"{connection}__credential must be managedidentity");
            p.Require(Arm.IsReference(settings.GetValueOrDefault($"{connection}__clientId"), identity ?? "", "clientId"), $"{connection}__clientId must be the app identity's client id");
            var services = connection == "AzureWebJobsStorage" ? new[] { "blob", "queue", "table" } : ["blob", "queue"];
            var byAccountName = settings.ContainsKey($"{connection}__accountName");
            foreach (var service in services)
            {
                var value = settings.GetValueOrDefault($"{connection}__{service}ServiceUri");
                p.Require(byAccountName || Arm.IsReference(value, storageId, $"primaryEndpoints.{service}"),
                    $"{connection}__{service}ServiceUri must be the Storage account's {service} endpoint (or {connection}__accountName be set), is {value ?? "missing"}");
            }
        }

        p.Require(Arm.IsReference(settings.GetValueOrDefault("AZURE_CLIENT_ID"), identity ?? "", "clientId"), "AZURE_CLIENT_ID must be the app identity's client id (DefaultAzureCredential in the worker)");
        p.Require(Arm.IsReference(settings.GetValueOrDefault("APPLICATIONINSIGHTS_CONNECTION_STRING"), appInsightsId, "ConnectionString"), "APPLICATIONINSIGHTS_CONNECTION_STRING must come from the Application Insights component");
        var auth = settings.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING");
        p.Require(auth?.Contains("Authorization=AAD", StringComparison.Ordinal) == true && Arm.References(auth, identity ?? "", "clientId"), "APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be Entra ID (Authorization=AAD) with the app identity");
        foreach (var setting in new[] { "Pipeline__DebounceWindow", "Pipeline__JobInactivityTimeout", "Pipeline__MaxTrainerAttempts" })
        {
            p.Require(settings.ContainsKey(setting), $"app setting {setting} is missing");
        }

        return p;
    }

    // ---- Trainer ----

    public static IReadOnlyList<string> Trainer(Deployment d, string jobsQueue)
    {
        var p = new Problems();
        var jobs = d.OfType(JobType);
        if (!p.Require(jobs.Count == 1, $"expected one Container Apps Job, found {jobs.Count}"))
        {
            return p;
        }

        var job = jobs[0];
        var identity = UserAssignedIdentity(job, "trainer job", p) ?? "(none)";
        var storage = d.OfType(StorageAccountType) is [var firstStorageAccount, ..] ? firstStorageAccount : null;
        var storageId = Text(storage?["id"]) ?? "(no storage account)";
        var configuration = At(job, "properties.configuration");

        p.Require(Text(At(configuration, "triggerType")) == "Event", "trainer job: triggerType must be Event (scaled by the queue)");
        p.Require(Items(At(configuration, "secrets")).Count == 0, "trainer job: must hold no secrets");
        p.Require(Int(At(configuration, "replicaTimeout")) > 0, "trainer job: replicaTimeout must be set");
        p.Require(Int(At(configuration, "replicaRetryLimit")) >= 0, "trainer job: replicaRetryLimit must be set");
        p.Require(Int(At(configuration, "eventTriggerConfig.parallelism")) >= 1, "trainer job: parallelism must be set");
        p.Require(Int(At(configuration, "eventTriggerConfig.scale.minExecutions")) == 0, "trainer job: minExecutions must be 0 (nothing runs without work)");

        var registries = Items(At(configuration, "registries"));
        p.Require(registries.Count > 0, "trainer job: the registry must be configured");
        foreach (var registry in registries)
        {
            p.Require(Text(At(registry, "identity")) == identity, $"trainer job: registry {Text(At(registry, "server"))} must be pulled with the job's identity");
            p.Require(At(registry, "passwordSecretRef") is null && At(registry, "username") is null, "trainer job: no registry user name or password");
        }

        var rules = Items(At(configuration, "eventTriggerConfig.scale.rules"));
        var queueRules = rules.Where(r => Text(At(r, "type")) == "azure-queue").ToList();
        p.Require(rules.Count == 1 && queueRules.Count == 1, "trainer job: exactly one scale rule, of type azure-queue");
        foreach (var rule in queueRules)
        {
            p.Require(Text(At(rule, "metadata.queueName")) == jobsQueue, $"trainer job: the scale rule must watch {jobsQueue}");
            p.Require(Text(At(rule, "metadata.accountName")) == Text(storage?["name"]), "trainer job: the scale rule must name the Storage account");
            p.Require(Text(At(rule, "identity")) == identity, "trainer job: the scale rule must authenticate with the job's managed identity");
            p.Require(Items(At(rule, "auth")).Count == 0, "trainer job: the scale rule must not use secrets (auth)");
            var metadata = At(rule, "metadata") as JsonObject;
            p.Require(metadata is null || !metadata.Any(kv => kv.Key.Contains("connection", StringComparison.OrdinalIgnoreCase) || kv.Key.Contains("sas", StringComparison.OrdinalIgnoreCase)), "trainer job: the scale rule must not use a connection string");
        }

        var environment = d.ById(Text(At(job, "properties.environmentId")) ?? "");
        var profileName = Text(At(job, "properties.workloadProfileName"));
        var profile = Items(At(environment, "properties.workloadProfiles")).FirstOrDefault(w => Text(At(w, "name")) == profileName);
        var gpu = GpuProfiles[d.Gpu];
        p.Require(profile is not null && Text(At(profile, "workloadProfileType")) == gpu.Type, $"trainer job: must run on the environment's {gpu.Type} workload profile ({d.Gpu}), runs on {profileName ?? "none"}");

        var containers = Items(At(job, "properties.template.containers"));
        p.Require(containers.Count == 1, "trainer job: one container");
        foreach (var container in containers)
        {
            p.Require(Int(At(container, "resources.cpu")) == gpu.Cpu && Text(At(container, "resources.memory")) == gpu.Memory, $"trainer job: a {d.Gpu} replica gets {gpu.Cpu} vCPU and {gpu.Memory}");
            var env = Items(At(container, "env")).ToDictionary(e => Text(At(e, "name")) ?? "", e => e);
            foreach (var (name, variable) in env)
            {
                p.Require(At(variable, "secretRef") is null, $"trainer env {name}: no secret references");
                p.Require(!Arm.LooksSecret(Text(At(variable, "value"))), $"trainer env {name} holds a key, SAS or list*() result");
            }

            p.Require(Arm.IsReference(Text(At(env.GetValueOrDefault("BERTFN_STORAGE"), "value")), storageId, "primaryEndpoints.blob"), "trainer env BERTFN_STORAGE must be the blob account URL (identity-based), not a connection string");
            p.Require(Arm.IsReference(Text(At(env.GetValueOrDefault("AZURE_CLIENT_ID"), "value")), identity, "clientId"), "trainer env AZURE_CLIENT_ID must be the job identity's client id (DefaultAzureCredential)");
            foreach (var setting in new[] { "BERTFN_TRAINER__IDLETIMEOUT", "BERTFN_TRAINER__VISIBILITYTIMEOUT", "BERTFN_TRAINER__MAXATTEMPTS" })
            {
                p.Require(env.ContainsKey(setting), $"trainer env {setting} is missing");
            }

            if (d.Image.Length > 0)
            {
                p.Require(Text(At(container, "image")) == d.Image, "trainer job: must run the image it is given");
                p.Require(Serialize(At(container, "args")) == """["--worker"]""", "trainer job: must run bertfn-trainer --worker");
            }
        }

        return p;
    }

    public static IReadOnlyList<string> Registry(Deployment d)
    {
        var p = new Problems();
        var registries = d.OfType(RegistryType);
        p.Require(registries.Count == 1, $"expected one container registry, found {registries.Count}");
        foreach (var registry in registries)
        {
            p.Require(Is(At(registry, "properties.adminUserEnabled"), false), "container registry: adminUserEnabled must be the literal false");
            p.Require(Is(At(registry, "properties.anonymousPullEnabled"), false), "container registry: anonymousPullEnabled must be the literal false");
        }

        return p;
    }

    // ---- Role assignments ----

    /// <summary>Every role assignment as "who: role @ scope"; who is functions, trainer, deployer, event grid (the system topic's identity) or unknown.</summary>
    public static IReadOnlyList<string> RoleAssignments(Deployment d, string deployerPrincipalId)
    {
        var functions = d.OfType(SiteType).Select(s => (At(s, "identity.userAssignedIdentities") as JsonObject)?.Select(kv => kv.Key).FirstOrDefault()).FirstOrDefault();
        var trainer = d.OfType(JobType).Select(s => (At(s, "identity.userAssignedIdentities") as JsonObject)?.Select(kv => kv.Key).FirstOrDefault()).FirstOrDefault();
        var topic = d.OfType(SystemTopicType).Select(t => Text(t["id"])).FirstOrDefault();
        var list = new List<string>();
        foreach (var assignment in d.OfType(RoleAssignmentType))
        {
            var principal = Text(At(assignment, "properties.principalId"));
            var referenced = Arm.ReferencedId(principal);
            var who = principal == deployerPrincipalId ? "deployer"
                : referenced is not null && string.Equals(referenced, functions, StringComparison.OrdinalIgnoreCase) && principal!.EndsWith(".principalId]", StringComparison.Ordinal) ? "functions"
                : referenced is not null && string.Equals(referenced, trainer, StringComparison.OrdinalIgnoreCase) && principal!.EndsWith(".principalId]", StringComparison.Ordinal) ? "trainer"
                : topic is not null && string.Equals(UploadEventChecks.SystemIdentityOf(principal), topic, StringComparison.OrdinalIgnoreCase) ? "event grid"
                : $"unknown principal {principal}";
            var role = Arm.Roles.Name(Arm.RoleId(Text(At(assignment, "properties.roleDefinitionId"))));
            list.Add($"{who}: {role} @ {DescribeScope(d, Arm.ScopeOf(Text(assignment["id"]), RoleAssignmentType))}");
        }

        return list;
    }

    public static IReadOnlyList<string> RoleAssignmentProblems(Deployment d, string deployerPrincipalId, IReadOnlyCollection<string> expected)
    {
        var p = new Problems();
        var actual = RoleAssignments(d, deployerPrincipalId);
        p.SameSet("role assignments", expected, actual);
        p.Require(actual.Count == actual.Distinct(StringComparer.Ordinal).Count(), "a role assignment is made twice");
        foreach (var forbidden in new[] { Arm.Roles.Owner, Arm.Roles.Contributor, Arm.Roles.UserAccessAdministrator, Arm.Roles.StorageAccountContributor })
        {
            var name = Arm.Roles.Name(forbidden);
            p.Require(!actual.Any(a => a.Contains($": {name} @", StringComparison.Ordinal)), $"{name} must never be assigned");
        }

        foreach (var assignment in d.OfType(RoleAssignmentType))
        {
            var principal = Text(At(assignment, "properties.principalId"));
            p.Require(principal == deployerPrincipalId || Text(At(assignment, "properties.principalType")) == "ServicePrincipal", $"role assignment for {principal}: a managed identity's principalType is ServicePrincipal");
        }

        return p;
    }

    /// <summary>
    /// The trainer writes model packages but never a live pointer: its role on the models container carries a
    /// condition that refuses write, create and delete of <c>*/live.json</c>, so only the pipeline promotes.
    /// </summary>
    public static IReadOnlyList<string> TrainerCannotPromote(Deployment d, string modelsContainer)
    {
        var p = new Problems();
        var trainer = d.OfType(JobType).Select(s => (At(s, "identity.userAssignedIdentities") as JsonObject)?.Select(kv => kv.Key).FirstOrDefault()).FirstOrDefault();
        var onModels = d.OfType(RoleAssignmentType)
            .Where(a => string.Equals(Arm.ReferencedId(Text(At(a, "properties.principalId"))), trainer, StringComparison.OrdinalIgnoreCase)
                && DescribeScope(d, Arm.ScopeOf(Text(a["id"]), RoleAssignmentType)) == $"{ContainerType}/{modelsContainer}")
            .ToList();
        p.Require(onModels.Count == 1, $"the trainer must hold exactly one role on the {modelsContainer} container");
        foreach (var assignment in onModels)
        {
            var condition = Text(At(assignment, "properties.condition")) ?? "";
            p.Require(Text(At(assignment, "properties.conditionVersion")) == "2.0", "trainer on models: the role needs a condition (version 2.0)");
            foreach (var action in new[] { "blobs/write", "blobs/add/action", "blobs/delete" })
            {
                p.Require(condition.Contains($"!(ActionMatches{{'Microsoft.Storage/storageAccounts/blobServices/containers/{action}'}})", StringComparison.Ordinal), $"trainer on models: the condition must cover {action}");
            }

            p.Require(condition.Contains("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringNotLike '*/live.json'", StringComparison.Ordinal), "trainer on models: the condition must exclude */live.json");
        }

        return p;
    }

    // ---- Monitoring ----

    public static IReadOnlyList<string> Monitoring(Deployment d)
    {
        var p = new Problems();
        var workspace = d.OfType(WorkspaceType) is [var firstWorkspace, ..] ? firstWorkspace : null;
        var appInsights = d.OfType(AppInsightsType) is [var firstAppInsights, ..] ? firstAppInsights : null;
        if (!p.Require(workspace is not null && appInsights is not null, "Log Analytics and Application Insights must both be deployed"))
        {
            return p;
        }

        var workspaceId = Text(workspace!["id"]);
        p.Require(Text(At(appInsights, "properties.WorkspaceResourceId")) == workspaceId, "Application Insights must be workspace-based (the Log Analytics workspace)");
        p.Require(Is(At(appInsights, "properties.DisableLocalAuth"), true), "Application Insights: DisableLocalAuth must be the literal true (Entra ID ingestion only)");
        foreach (var environment in d.OfType(EnvironmentType))
        {
            var environmentId = Text(environment["id"]);
            p.Require(Text(At(environment, "properties.appLogsConfiguration.destination")) == "azure-monitor", "Container Apps environment: logs go to Azure Monitor (diagnostic settings), not through a workspace shared key");
            p.Require(!Serialize(environment).Contains("sharedKey", StringComparison.OrdinalIgnoreCase), "Container Apps environment: no workspace shared key");
            var diagnostics = d.OfType(DiagnosticSettingsType).Where(s => Arm.ScopeOf(Text(s["id"]), DiagnosticSettingsType) == environmentId).ToList();
            p.Require(diagnostics.Any(s => Text(At(s, "properties.workspaceId")) == workspaceId && Items(At(s, "properties.logs")).Any(l => Is(At(l, "enabled"), true))),
                "Container Apps environment: diagnostic settings must send its logs (the trainer's) to the Log Analytics workspace");
        }

        return p;
    }

    /// <summary>No property of any resource reads a key: no list*() call, no account key, SAS or shared key, anywhere.</summary>
    public static IReadOnlyList<string> NoKeysAnywhere(Deployment d)
    {
        var p = new Problems();
        foreach (var resource in d.Resources)
        {
            Visit(resource, Text(resource["id"]) ?? "?");
        }

        return p;

        void Visit(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                    {
                        p.Require(!key.EndsWith("SharedKey", StringComparison.OrdinalIgnoreCase) && !key.EndsWith("AccountKey", StringComparison.OrdinalIgnoreCase) && !key.EndsWith("Password", StringComparison.OrdinalIgnoreCase), $"{path}.{key}: a key or password property");
                        Visit(value, $"{path}.{key}");
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        Visit(a[i], $"{path}[{i}]");
                    }

                    break;
                case JsonValue v when v.TryGetValue<string>(out var text):
                    p.Require(!Arm.LooksSecret(text), $"{path}: reads a key: {text}");
                    break;
            }
        }
    }

    // ---- Outputs ----

    /// <summary>The outputs of a compiled template and of every module nested in it.</summary>
    public static IReadOnlyList<string> CompiledOutputs(JsonObject template, string label)
    {
        var p = new Problems();
        CheckOutputs(template, label, p);
        return p;

        static void CheckOutputs(JsonObject template, string label, Problems p)
        {
            if (template["outputs"] is JsonObject outputs)
            {
                foreach (var (name, output) in outputs)
                {
                    var type = Text(At(output, "type"))?.ToLowerInvariant();
                    p.Require(type is not ("securestring" or "secureobject"), $"{label}: output {name} is secure-typed (a secret)");
                    CheckOutput(label, name, Serialize(At(output, "value")), p);
                }
            }

            var resources = template["resources"] switch
            {
                JsonArray array => array.Select(r => r as JsonObject),
                JsonObject map => map.Select(kv => kv.Value as JsonObject),
                _ => [],
            };
            foreach (var module in resources.Where(r => Text(r?["type"]) == "Microsoft.Resources/deployments"))
            {
                if (At(module, "properties.template") is JsonObject nested)
                {
                    CheckOutputs(nested, $"{label} > {Text(module!["name"])}", p);
                }
            }
        }
    }

    /// <summary>The outputs as a deployment produces them (what azd writes to the environment's .env file).</summary>
    public static IReadOnlyList<string> SnapshotOutputs(Deployment d)
    {
        var p = new Problems();
        foreach (var (name, value) in d.Outputs ?? new JsonObject())
        {
            CheckOutput(d.ToString(), name, Serialize(value), p);
        }

        return p;
    }

    // ---- Upload events ----

    public static IReadOnlyList<string> UploadTopic(Deployment d)
    {
        var p = new Problems();
        var topics = d.OfType(SystemTopicType);
        var storageId = d.OfType(StorageAccountType).Select(s => Text(s["id"])).FirstOrDefault();
        p.Require(topics.Count == 1 && Text(At(topics[0], "properties.source")) == storageId && Text(At(topics[0], "properties.topicType")) == "Microsoft.Storage.StorageAccounts",
            "an Event Grid system topic must publish the Storage account's events");
        return p;
    }

    /// <summary>The snapshot of upload-subscription.bicep: BlobCreated in the uploads container to the blob trigger's webhook.</summary>
    public static IReadOnlyList<string> UploadSubscription(JsonObject snapshot, string siteId, string functionName, string container)
    {
        var p = new Problems();
        var subscriptions = (snapshot["predictedResources"]?.AsArray() ?? []).Where(r => Text(r?["type"]) == EventSubscriptionType).ToList();
        if (!p.Require(subscriptions.Count == 1, $"expected one event subscription, found {subscriptions.Count}"))
        {
            return p;
        }

        var subscription = subscriptions[0];
        p.Require(Serialize(At(subscription, "properties.filter.includedEventTypes")) == """["Microsoft.Storage.BlobCreated"]""", "event subscription: BlobCreated only");
        p.Require(Text(At(subscription, "properties.filter.subjectBeginsWith")) == $"/blobServices/default/containers/{container}/", $"event subscription: blobs in {container} only");
        p.Require(Text(At(subscription, "properties.destination.endpointType")) == "WebHook", "event subscription: a webhook");
        var url = Text(At(subscription, "properties.destination.properties.endpointUrl"));
        var expected = $"[format('https://{{0}}/runtime/webhooks/blobs?functionName=Host.Functions.{{1}}&code={{2}}', reference('{siteId}', ";
        p.Require(url?.StartsWith(expected, StringComparison.OrdinalIgnoreCase) == true
            && url.Contains($").defaultHostName, '{functionName}', listKeys('{siteId}/host/default', ", StringComparison.OrdinalIgnoreCase)
            && url.EndsWith(").systemKeys.blobs_extension)]", StringComparison.Ordinal),
            $"event subscription: must deliver to https://APP/runtime/webhooks/blobs?functionName=Host.Functions.{functionName}&code=(the blobs_extension system key, read in the deployment); is {url}");
        return p;
    }

    // ---- Trainer image ----

    /// <summary>The user the final stage of a Dockerfile runs as must not be root.</summary>
    public static IReadOnlyList<string> DockerfileUser(string dockerfile)
    {
        var p = new Problems();
        var instructions = new List<(string Keyword, string Arguments)>();
        var logical = "";
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (logical.Length == 0 && line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            logical += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (line.EndsWith('\\'))
            {
                continue;
            }

            var text = logical.Trim();
            logical = "";
            if (text.Length > 0)
            {
                var space = text.IndexOfAny([' ', '\t']);
                instructions.Add(space < 0 ? (text.ToUpperInvariant(), "") : (text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
            }
        }

        var lastFrom = instructions.FindLastIndex(i => i.Keyword == "FROM");
        if (!p.Require(lastFrom >= 0, "Dockerfile: no FROM"))
        {
            return p;
        }

        var user = instructions.Skip(lastFrom).LastOrDefault(i => i.Keyword == "USER").Arguments;
        if (!p.Require(!string.IsNullOrEmpty(user), "Dockerfile: the final stage sets no USER, so the container runs as root"))
        {
            return p;
        }

        var name = user!.Split(':')[0];
        p.Require(name is not ("root" or "0") && !(int.TryParse(name, out var uid) && uid == 0), $"Dockerfile: the final stage runs as {user} (root)");
        return p;
    }

    // ---- helpers ----

    private static void CheckOutput(string label, string name, string value, Problems p)
    {
        p.Require(!System.Text.RegularExpressions.Regex.IsMatch(name, "key|secret|password|connectionstring|credential|sas", System.Text.RegularExpressions.RegexOptions.IgnoreCase), $"{label}: output {name} is named like a secret");
        p.Require(!Arm.LooksSecret(value), $"{label}: output {name} reads a key, SAS or list*() result: {value}");
        p.Require(!value.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) && !value.Contains("InstrumentationKey", StringComparison.OrdinalIgnoreCase), $"{label}: output {name} returns a connection string");
    }

    private static string? UserAssignedIdentity(JsonObject resource, string what, Problems p)
    {
        var identities = At(resource, "identity.userAssignedIdentities") as JsonObject;
        p.Require(Text(At(resource, "identity.type"))?.Contains("UserAssigned", StringComparison.Ordinal) == true && identities?.Count == 1, $"{what}: must have exactly one user-assigned managed identity");
        return identities?.Select(kv => kv.Key).FirstOrDefault();
    }

    private static string DescribeScope(Deployment d, string? scope)
    {
        var resource = scope is null ? null : d.ById(scope);
        if (resource is null)
        {
            return $"unknown scope {scope}";
        }

        var type = Text(resource["type"])!;
        return type is ContainerType or QueueType ? $"{type}/{LastSegment(resource)}" : type;
    }

    private static string LastSegment(JsonObject resource) => Text(resource["name"])?.Split('/')[^1] ?? "";

    private sealed class Problems : List<string>
    {
        public bool Require(bool condition, string problem)
        {
            if (!condition)
            {
                Add(problem);
            }

            return condition;
        }

        public void SameSet(string what, IReadOnlyCollection<string> expected, IReadOnlyCollection<string> actual)
        {
            foreach (var missing in expected.Except(actual, StringComparer.Ordinal))
            {
                Add($"{what}: missing {missing}");
            }

            foreach (var unexpected in actual.Except(expected, StringComparer.Ordinal))
            {
                Add($"{what}: unexpected {unexpected}");
            }
        }
    }
}
