using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// The security properties of the deployment, read from the compiled templates as Bicep's deployment engine evaluates
/// them (<see cref="InfraTemplates"/>), with the GPU profile at its default (T4) and at A100.
/// </summary>
public sealed class SecurityTests(InfraTemplates infra)
{
    /// <summary>The only role assignments the templates may make: who, which built-in role, on what.</summary>
    public static readonly IReadOnlyList<string> ExpectedRoleAssignments =
    [
        // The Functions app: host state, Durable Task hub, the pipeline (account scope: they create their own containers, queues, tables).
        $"functions: Storage Blob Data Owner @ {InfraChecks.StorageAccountType}",
        $"functions: Storage Queue Data Contributor @ {InfraChecks.StorageAccountType}",
        $"functions: Storage Table Data Contributor @ {InfraChecks.StorageAccountType}",
        $"functions: Monitoring Metrics Publisher @ {InfraChecks.AppInsightsType}",
        // The trainer: read datasets, write checkpoints and models, work the three queues, pull its image.
        $"trainer: Storage Blob Data Reader @ {InfraChecks.ContainerType}/{StorageLayout.DatasetsContainer}",
        $"trainer: Storage Blob Data Contributor @ {InfraChecks.ContainerType}/{StorageLayout.CheckpointsContainer}",
        $"trainer: Storage Blob Data Contributor @ {InfraChecks.ContainerType}/{StorageLayout.ModelsContainer}",
        $"trainer: Storage Queue Data Contributor @ {InfraChecks.QueueType}/{TrainingQueues.Jobs}",
        $"trainer: Storage Queue Data Contributor @ {InfraChecks.QueueType}/{TrainingQueues.Events}",
        $"trainer: Storage Queue Data Contributor @ {InfraChecks.QueueType}/{TrainingQueues.DeadLetter}",
        $"trainer: AcrPull @ {InfraChecks.RegistryType}",
        // The person (or CI principal) deploying: may upload, and (deployerDataAccess, on by default) read packages and
        // runs and peek at the job queues, as docs/deploy.md's commands do.
        $"deployer: Storage Blob Data Contributor @ {InfraChecks.ContainerType}/{StorageLayout.UploadsContainer}",
        $"deployer: Storage Blob Data Reader @ {InfraChecks.ContainerType}/{StorageLayout.ModelsContainer}",
        $"deployer: Storage Blob Data Reader @ {InfraChecks.ContainerType}/{StorageLayout.RunsContainer}",
        $"deployer: Storage Queue Data Message Reader @ {InfraChecks.QueueType}/{TrainingQueues.Jobs}",
        $"deployer: Storage Queue Data Message Reader @ {InfraChecks.QueueType}/{TrainingQueues.DeadLetter}",
        // Event Grid's system topic: writes the upload events it could not deliver, nowhere else.
        $"event grid: Storage Blob Data Contributor @ {InfraChecks.ContainerType}/{UploadEventsTests.DeadLetterContainer}",
    ];

    /// <summary>What the Storage account must hold: the code's containers and queues, the Flex deployment container and Event Grid's dead-letter container.</summary>
    public static IReadOnlyList<string> ExpectedContainers => [.. Repository.Containers, "deploymentpackage", UploadEventsTests.DeadLetterContainer];

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void Storage_allows_no_shared_keys_no_public_blobs_and_only_https_with_tls_1_2(string gpu) =>
        Assert.Empty(InfraChecks.StorageAccount(infra.Get(gpu)));

    [Fact]
    public void Storage_has_exactly_the_containers_and_queues_the_code_uses()
    {
        Assert.Equal(6, Repository.Containers.Count);
        Assert.Equal(3, Repository.Queues.Count);
        Assert.Empty(InfraChecks.StorageContents(infra.T4, ExpectedContainers, Repository.Queues));
    }

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void Functions_app_runs_dotnet_isolated_on_flex_consumption_and_connects_with_its_identity_only(string gpu)
    {
        Assert.Contains("BERTFN_STORAGE", Repository.TriggerConnections);
        Assert.Empty(InfraChecks.FunctionApp(infra.Get(gpu), Repository.DotnetVersion, Repository.TriggerConnections));
    }

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void Trainer_is_a_gpu_job_started_by_a_keda_queue_rule_that_authenticates_with_its_identity(string gpu) =>
        Assert.Empty(InfraChecks.Trainer(infra.Get(gpu), TrainingQueues.Jobs));

    [Fact]
    public void Registry_has_no_admin_user_and_no_anonymous_pull() =>
        Assert.Empty(InfraChecks.Registry(infra.T4));

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void Role_assignments_are_exactly_the_least_privilege_set(string gpu) =>
        Assert.Empty(InfraChecks.RoleAssignmentProblems(infra.Get(gpu), InfraTemplates.DeployerPrincipalId, ExpectedRoleAssignments));

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void The_trainer_may_write_model_packages_but_not_the_live_pointers_only_the_pipeline_promotes(string gpu) =>
        Assert.Empty(InfraChecks.TrainerCannotPromote(infra.Get(gpu), StorageLayout.ModelsContainer));

    [Fact]
    public void Monitoring_covers_both_apps_without_keys() =>
        Assert.Empty(InfraChecks.Monitoring(infra.T4));

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public void No_resource_reads_or_holds_a_key(string gpu) =>
        Assert.Empty(InfraChecks.NoKeysAnywhere(infra.Get(gpu)));

    [Fact]
    public void Outputs_hold_no_secrets_in_any_template_or_module()
    {
        foreach (var (template, compiled) in infra.Compiled)
        {
            Assert.Empty(InfraChecks.CompiledOutputs(compiled, template));
        }

        foreach (var deployment in infra.Deployments)
        {
            Assert.Empty(InfraChecks.SnapshotOutputs(deployment));
        }
    }

    [Fact]
    public void Outputs_give_the_endpoints_and_what_azd_needs()
    {
        var outputs = infra.T4.Outputs!;
        foreach (var (name, path) in new[] { ("CLASSIFY_ENDPOINT", "/api/classify"), ("TRAINING_ENDPOINT", "/api/training"), ("MODELS_ENDPOINT", "/api/models"), ("HEALTH_ENDPOINT", "/api/health") })
        {
            var value = Json.Text(outputs[name]);
            Assert.NotNull(value);
            Assert.StartsWith("[format('https://{0}" + path + "', reference('", value, StringComparison.Ordinal);
        }

        foreach (var name in new[] { "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "FUNCTION_APP_URL", "UPLOADS_SYSTEM_TOPIC_NAME", "STORAGE_BLOB_ENDPOINT", "TRAINER_JOB_NAME" })
        {
            Assert.True(outputs.ContainsKey(name), $"output {name} is missing");
        }
    }

    [Fact]
    public void Uploads_reach_the_blob_trigger_through_event_grid()
    {
        var (function, container) = Repository.UploadTrigger;
        Assert.Equal(StorageLayout.UploadsContainer, container);
        Assert.Empty(InfraChecks.UploadTopic(infra.T4));
        Assert.Empty(InfraChecks.UploadSubscription(infra.UploadSubscription, InfraTemplates.SubscriptionAppId, function, container));
    }

    [Fact]
    public void Trainer_image_runs_as_a_non_root_user() =>
        Assert.Empty(InfraChecks.DockerfileUser(Repository.Dockerfile));
}
