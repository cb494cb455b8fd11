using System.Text.Json.Nodes;

[assembly: AssemblyFixture(typeof(BertFunctions.Infra.Tests.InfraTemplates))]

namespace BertFunctions.Infra.Tests;

/// <summary>
/// Every template under infra/ built and linted once per test run, and deployment snapshots of main.bicep: the compiled
/// ARM JSON evaluated by Bicep's own deployment engine for a fixed subscription and parameters (nested modules expanded,
/// loops unrolled, names and ids resolved; what only exists at deployment time, such as a principal id, stays an
/// expression naming its resource). Everything is written to a temporary folder, deleted at the end.
/// </summary>
public sealed class InfraTemplates : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c1c1";
    public const string TenantId = "00000000-0000-0000-0000-00000000d1d1";
    public const string Location = "westus3";
    public const string DeployerPrincipalId = "00000000-0000-0000-0000-00000000e1e1";
    public const string TrainerImage = "crexample.azurecr.io/bertfunctions/trainer-ci:latest";
    public const string SubscriptionResourceGroup = "rg-ci";
    public const string SubscriptionApp = "func-ci";

    private readonly string work = Path.Combine(Path.GetTempPath(), $"bertfn-infra-tests-{Guid.NewGuid():N}");

    /// <summary>Every .bicep file, relative to infra/ with forward slashes.</summary>
    public IReadOnlyList<string> Templates { get; private set; } = [];

    public string BuildOutput { get; private set; } = "";

    public int BuildExitCode { get; private set; }

    public string LintOutput { get; private set; } = "";

    public int LintExitCode { get; private set; }

    /// <summary>The compiled ARM JSON of each template, by its .bicep path relative to infra/.</summary>
    public IReadOnlyDictionary<string, JsonObject> Compiled { get; private set; } = new Dictionary<string, JsonObject>();

    /// <summary>main.bicep with its defaults (T4, no image yet) and with A100 and an image.</summary>
    public Deployment T4 { get; private set; } = null!;

    public Deployment A100 { get; private set; } = null!;

    /// <summary>main.bicep with private networking (vnetEnabled).</summary>
    public Deployment Private { get; private set; } = null!;

    public IEnumerable<Deployment> Deployments => [T4, A100];

    /// <summary>upload-subscription.bicep (deployed after the code) for the app <see cref="SubscriptionApp"/>.</summary>
    public JsonObject UploadSubscription { get; private set; } = [];

    public static string SubscriptionAppId => $"/subscriptions/{SubscriptionId}/resourceGroups/{SubscriptionResourceGroup}/providers/Microsoft.Web/sites/{SubscriptionApp}";

    public Deployment Get(string gpu) => gpu == "T4" ? T4 : gpu == "A100" ? A100 : throw new ArgumentOutOfRangeException(nameof(gpu), gpu, "T4 or A100");

    public async ValueTask InitializeAsync()
    {
        try
        {
            await PrepareAsync().ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private async Task PrepareAsync()
    {
        Directory.CreateDirectory(work);
        Templates = [.. Directory.EnumerateFiles(Bicep.Infra, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Bicep.Infra, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

        var build = Path.Combine(work, "build");
        (BuildExitCode, BuildOutput) = await Bicep.RunAsync(Bicep.Infra, "build", "--pattern", "**/*.bicep", "--outdir", build).ConfigureAwait(false);
        (LintExitCode, LintOutput) = await Bicep.RunAsync(Bicep.Infra, "lint", "--pattern", "**/*.bicep").ConfigureAwait(false);
        Compiled = Templates
            .Where(t => File.Exists(Path.Combine(build, Path.ChangeExtension(t, ".json"))))
            .ToDictionary(t => t, t => Json.ReadObject(Path.Combine(build, Path.ChangeExtension(t, ".json"))));

        T4 = new Deployment("T4", "", await SnapshotAsync("t4", "main.bicep", $"""
            param environmentName = 'ci-t4'
            param location = '{Location}'
            param principalId = '{DeployerPrincipalId}'
            """).ConfigureAwait(false));
        A100 = new Deployment("A100", TrainerImage, await SnapshotAsync("a100", "main.bicep", $"""
            param environmentName = 'ci-a100'
            param location = '{Location}'
            param principalId = '{DeployerPrincipalId}'
            param gpuProfile = 'A100'
            param trainerImageName = '{TrainerImage}'
            """).ConfigureAwait(false));
        Private = new Deployment("T4", "", await SnapshotAsync("private", "main.bicep", $"""
            param environmentName = 'ci-private'
            param location = '{Location}'
            param principalId = '{DeployerPrincipalId}'
            param vnetEnabled = true
            """).ConfigureAwait(false));
        UploadSubscription = await SnapshotAsync("subscription", "modules/upload-subscription.bicep", $"""
            param systemTopicName = 'evgt-ci'
            param functionAppName = '{SubscriptionApp}'
            """, "--resource-group", SubscriptionResourceGroup).ConfigureAwait(false);
    }

    /// <summary><c>bicep snapshot</c> of a template with the given parameters (a .bicepparam body).</summary>
    private async Task<JsonObject> SnapshotAsync(string name, string template, string parameters, params string[] scope)
    {
        var folder = Path.Combine(work, name);
        Directory.CreateDirectory(folder);
        var relative = Path.GetRelativePath(folder, Path.Combine(Bicep.Infra, template)).Replace('\\', '/');
        var file = Path.Combine(folder, "snapshot.bicepparam");
        await File.WriteAllTextAsync(file, $"using '{relative}'\n{parameters}\n").ConfigureAwait(false);
        string[] args = ["snapshot", file, "--mode", "overwrite", "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", Location, .. scope];
        var (exit, output) = await Bicep.RunAsync(folder, args).ConfigureAwait(false);
        var snapshot = Path.Combine(folder, "snapshot.snapshot.json");
        if (exit != 0 || !File.Exists(snapshot))
        {
            throw new InvalidOperationException($"bicep snapshot of {template} ({name}) failed ({exit}):\n{output}");
        }

        var result = Json.ReadObject(snapshot);
        var diagnostics = result["diagnostics"]?.AsArray() ?? [];
        if (diagnostics.Count > 0)
        {
            throw new InvalidOperationException($"bicep snapshot of {template} ({name}) reported: {diagnostics.ToJsonString()}");
        }

        return result;
    }
}
