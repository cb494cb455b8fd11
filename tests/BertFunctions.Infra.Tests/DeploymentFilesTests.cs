using System.Text.Json.Nodes;

namespace BertFunctions.Infra.Tests;

/// <summary>azure.yaml, the parameters file and the hooks agree with the templates and the repository.</summary>
public sealed class DeploymentFilesTests(InfraTemplates infra)
{
    [Fact]
    public void Azure_yaml_deploys_the_functions_project_and_the_cuda_trainer_image_to_the_tagged_resources()
    {
        var yaml = Repository.AzureYaml();
        string One(string key) => Assert.Single(yaml.TryGetValue(key, out var values) ? values : []);

        Assert.Equal("bicep", One("infra.provider"));
        Assert.Equal("infra", One("infra.path"));
        Assert.Equal("main", One("infra.module"));

        Assert.Equal("function", One("services.functions.host"));
        Assert.Equal("dotnet", One("services.functions.language"));
        var functions = Path.Combine(Bicep.RepoRoot, One("services.functions.project"));
        Assert.True(File.Exists(Path.Combine(functions, "BertFunctions.Functions.csproj")), $"{functions} is not the Functions project");

        Assert.Equal("containerapp", One("services.trainer.host"));
        var trainer = Path.Combine(Bicep.RepoRoot, One("services.trainer.project"));
        Assert.Equal(Path.Combine(Bicep.RepoRoot, "trainer-container", "Dockerfile"), Path.GetFullPath(Path.Combine(trainer, One("services.trainer.docker.path"))));
        Assert.Equal(Path.TrimEndingDirectorySeparator(Bicep.RepoRoot), Path.GetFullPath(Path.Combine(trainer, One("services.trainer.docker.context"))));
        Assert.Contains("TORCH=cuda", yaml["services.trainer.docker.buildArgs[]"]);
        // Built in the registry (no local Docker needed for `azd up`), with time for a multi-GB CUDA image.
        Assert.Equal("true", One("services.trainer.docker.remoteBuild"));
        Assert.True(int.Parse(One("services.trainer.deployTimeout"), System.Globalization.CultureInfo.InvariantCulture) >= 3600, "the trainer's deploy needs an hour");

        // azd finds each service's resource by its azd-service-name tag.
        Assert.Equal("functions", Json.Text(Json.At(Assert.Single(infra.T4.OfType(InfraChecks.SiteType)), "tags.azd-service-name")));
        Assert.Equal("trainer", Json.Text(Json.At(Assert.Single(infra.T4.OfType(InfraChecks.JobType)), "tags.azd-service-name")));
    }

    [Fact]
    public void The_postdeploy_hooks_exist_and_deploy_the_upload_subscription()
    {
        var yaml = Repository.AzureYaml();

        // A hook of the functions service, not of the project: azd runs it once the Functions app is deployed, so a
        // failed trainer deploy cannot leave uploads without their Event Grid subscription.
        Assert.DoesNotContain(yaml.Keys, k => k.StartsWith("hooks.postdeploy.", StringComparison.Ordinal));
        Assert.DoesNotContain(yaml.Keys, k => k.StartsWith("services.trainer.hooks.postdeploy.", StringComparison.Ordinal));

        // azd resolves a service hook's script relative to the service's project folder (and keeps it inside the project).
        var service = Path.GetFullPath(Path.Combine(Bicep.RepoRoot, Assert.Single(yaml["services.functions.project"])));
        foreach (var (platform, shell, extension) in new[] { ("posix", "sh", ".sh"), ("windows", "pwsh", ".ps1") })
        {
            var prefix = $"services.functions.hooks.postdeploy.{platform}";
            Assert.Equal(shell, Assert.Single(yaml[$"{prefix}.shell"]));
            Assert.Equal("false", Assert.Single(yaml[$"{prefix}.continueOnError"]));
            var script = Path.GetFullPath(Path.Combine(service, Assert.Single(yaml[$"{prefix}.run"])));
            Assert.Equal(Path.Combine(Bicep.Infra, "hooks", "postdeploy" + extension), script);
            Assert.True(File.Exists(script), $"{prefix}.run: {script} does not exist");
            var text = File.ReadAllText(script);
            Assert.Contains("modules/upload-subscription.bicep", text, StringComparison.Ordinal);
            foreach (var output in new[] { "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "UPLOADS_SYSTEM_TOPIC_NAME", "FUNCTION_APP_URL" })
            {
                Assert.Contains(output, text, StringComparison.Ordinal);
                Assert.True(infra.T4.Outputs!.ContainsKey(output), $"the hook reads {output}, which main.bicep does not output");
            }
        }
    }

    [Fact]
    public void The_parameters_file_sets_only_parameters_main_bicep_declares_and_every_required_one()
    {
        var declared = infra.Compiled["main.bicep"]["parameters"]!.AsObject();
        var file = Json.ReadObject(Path.Combine(Bicep.Infra, "main.parameters.json"))["parameters"]!.AsObject();

        foreach (var (name, value) in file)
        {
            Assert.True(declared.ContainsKey(name), $"main.parameters.json sets {name}, which main.bicep does not declare");
            Assert.Matches(@"^\$\{[A-Z_]+(=[^}]*)?\}$", Json.Text(Json.At(value, "value")) ?? "");
        }

        foreach (var (name, parameter) in declared)
        {
            Assert.True(parameter is JsonObject p && (p.ContainsKey("defaultValue") || file.ContainsKey(name)), $"main.bicep parameter {name} has no default and no value in main.parameters.json");
        }
    }
}
