using System.Text.RegularExpressions;
using BertFunctions.Contracts.Storage;
using YamlDotNet.RepresentationModel;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// .github/workflows/azure-dev.yml, the workflow <c>azd pipeline config</c> sets up in a user's repository, is what
/// GitHub accepts and what azd needs (federated sign-in from repository variables, provision then deploy without
/// prompts), and infra/scripts/smoke-test.sh, which it runs last, is a valid script that agrees with the templates.
/// </summary>
public sealed partial class AzureWorkflowTests(InfraTemplates infra)
{
    /// <summary>The repository variables <c>azd pipeline config</c> sets for GitHub Actions.</summary>
    public static readonly IReadOnlyList<string> PipelineVariables = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME", "AZURE_LOCATION"];

    private const string SmokeTest = "infra/scripts/smoke-test.sh";

    private static string WorkflowPath => Path.Combine(Bicep.RepoRoot, ".github", "workflows", "azure-dev.yml");

    private static string SmokeTestPath => Path.Combine(Bicep.RepoRoot, SmokeTest);

    [Fact]
    public void The_workflow_runs_on_push_to_main_and_on_demand()
    {
        var on = Mapping(Workflow(), "on");
        Assert.True(Has(on, "workflow_dispatch"), "on: has no workflow_dispatch");
        var push = Mapping(on, "push");
        Assert.Contains("main", Scalars(Get(push, "branches")));
    }

    [Fact]
    public void The_workflow_may_ask_for_an_OIDC_token_and_only_read_the_repository()
    {
        var workflow = Workflow();
        var permissions = Mapping(workflow, "permissions");
        Assert.Equal("write", Scalar(Get(permissions, "id-token")));
        Assert.Equal("read", Scalar(Get(permissions, "contents")));
        Assert.Equal(2, permissions.Children.Count);

        // A job may narrow them, never widen them.
        foreach (var (name, job) in Jobs(workflow))
        {
            if (Get(job, "permissions") is YamlMappingNode own)
            {
                foreach (var (scope, level) in own.Children)
                {
                    Assert.True(Scalar(level) is "read" or "none" || (Scalar(scope) == "id-token" && Scalar(level) == "write"), $"job {name} grants {scope}: {level}");
                }
            }
        }
    }

    [Fact]
    public void Every_step_either_runs_a_command_or_uses_an_action_pinned_to_a_major_version()
    {
        var steps = Steps().ToList();
        Assert.NotEmpty(steps);
        foreach (var (job, index, step) in steps)
        {
            var where = $"job {job}, step {index + 1} ({Scalar(Get(step, "name")) ?? "unnamed"})";
            Assert.True(Has(step, "uses") ^ Has(step, "run"), $"{where}: a step has exactly one of uses and run");
            Assert.False(string.IsNullOrWhiteSpace(Scalar(Get(step, "name"))), $"{where}: give the step a name");
            if (Scalar(Get(step, "uses")) is { } uses)
            {
                Assert.Matches(PinnedAction(), uses);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(Scalar(Get(step, "run"))), $"{where}: run is empty");
            }
        }

        var actions = steps.Select(s => Scalar(Get(s.Step, "uses"))).OfType<string>().Select(u => u[..u.IndexOf('@', StringComparison.Ordinal)]).ToList();
        foreach (var expected in new[] { "actions/checkout", "actions/setup-dotnet", "actions/setup-node", "Azure/setup-azd", "azure/login" })
        {
            Assert.Contains(expected, actions, StringComparer.OrdinalIgnoreCase);
        }

        foreach (var (name, job) in Jobs(Workflow()))
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(Get(job, "runs-on"))), $"job {name} has no runs-on");
        }
    }

    [Fact]
    public void Azd_and_the_Azure_CLI_sign_in_with_federated_credentials_from_the_repository_variables()
    {
        var steps = Steps().ToList();

        // azd: `azd auth login --federated-credential-provider github`, its ids from the variables through the env.
        var azdLogin = Assert.Single(steps, s => Run(s.Step).Contains("azd auth login", StringComparison.Ordinal));
        var command = Run(azdLogin.Step);
        Assert.Contains("--federated-credential-provider github", command, StringComparison.Ordinal);
        Assert.Matches(@"--client-id\s+""?\$\{?AZURE_CLIENT_ID\b", command);
        Assert.Matches(@"--tenant-id\s+""?\$\{?AZURE_TENANT_ID\b", command);
        Assert.DoesNotContain("--client-secret", command, StringComparison.Ordinal);
        Assert.DoesNotContain("--client-certificate", command, StringComparison.Ordinal);
        var env = Environment(azdLogin.Job, azdLogin.Step);
        foreach (var variable in PipelineVariables)
        {
            Assert.True(env.TryGetValue(variable, out var value), $"the job's env has no {variable}");
            Assert.Equal($"${{{{ vars.{variable} }}}}", value);
        }

        // The Azure CLI (the postdeploy hook and the smoke test use az): azure/login with OIDC, the same variables.
        var cliLogins = steps.Where(s => Scalar(Get(s.Step, "uses"))?.StartsWith("azure/login@", StringComparison.OrdinalIgnoreCase) == true).ToList();
        Assert.NotEmpty(cliLogins);
        foreach (var (_, index, step) in cliLogins)
        {
            var with = Mapping(step, "with");
            Assert.Equal("${{ vars.AZURE_CLIENT_ID }}", Scalar(Get(with, "client-id")));
            Assert.Equal("${{ vars.AZURE_TENANT_ID }}", Scalar(Get(with, "tenant-id")));
            Assert.Equal("${{ vars.AZURE_SUBSCRIPTION_ID }}", Scalar(Get(with, "subscription-id")));
            Assert.False(Has(with, "creds"), $"step {index + 1}: azure/login with creds is a stored credential, not OIDC");
        }

        Assert.Contains(cliLogins, l => l.Index < IndexOfRun(steps, SmokeTest));
    }

    [Fact]
    public void Every_hook_that_uses_the_Azure_CLI_runs_after_an_Azure_CLI_login()
    {
        var steps = Steps().ToList();
        var logins = steps.Where(s => Uses(s.Step, "azure/login")).Select(s => s.Index).ToList();
        var yaml = Repository.AzureYaml();
        var checkedHooks = 0;
        foreach (var (key, values) in yaml)
        {
            if (HookKey().Match(key) is not { Success: true } match)
            {
                continue;
            }

            // A service's hooks run in its project folder, the project's in the repository root.
            var service = match.Groups["service"].Value;
            var folder = service.Length == 0 ? Bicep.RepoRoot : Path.Combine(Bicep.RepoRoot, Assert.Single(yaml[$"services.{service}.project"]));
            var script = Path.GetFullPath(Path.Combine(folder, Assert.Single(values)));
            Assert.True(File.Exists(script), $"azure.yaml {key}: {script} does not exist");
            if (!AzCommand().IsMatch(File.ReadAllText(script)))
            {
                continue;
            }

            var hook = match.Groups["hook"].Value;
            var azdCommand = hook.EndsWith("provision", StringComparison.Ordinal) ? "azd provision" : "azd deploy";
            var runs = IndexOfRun(steps, azdCommand);
            Assert.True(logins.Any(l => l < runs), $"azure.yaml {key} ({Path.GetFileName(script)}) uses az inside `{azdCommand}`, but no azure/login step comes before it");
            checkedHooks++;
        }

        Assert.True(checkedHooks > 0, "no azd hook uses az: then the workflow needs no azure/login before azd");
    }

    [Fact]
    public void The_workflow_reads_no_secrets()
    {
        var text = File.ReadAllText(WorkflowPath);
        Assert.DoesNotContain("secrets.", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(SecretName(), text);
    }

    [Fact]
    public void Azd_provisions_then_deploys_without_prompts_before_the_smoke_test()
    {
        var steps = Steps().ToList();
        Assert.DoesNotContain(steps, s => Regex.IsMatch(Run(s.Step), @"\bazd up\b"));
        foreach (var command in new[] { "azd provision", "azd deploy" })
        {
            var step = Assert.Single(steps, s => Run(s.Step).Contains(command, StringComparison.Ordinal));
            Assert.Contains("--no-prompt", Run(step.Step), StringComparison.Ordinal);
        }

        var provision = IndexOfRun(steps, "azd provision");
        var deploy = IndexOfRun(steps, "azd deploy");
        var smoke = IndexOfRun(steps, SmokeTest);
        Assert.True(provision < deploy, "azd provision must come before azd deploy");
        Assert.True(deploy < smoke, "the smoke test must come after azd deploy");
        Assert.Equal(steps.Count - 1, smoke);
        Assert.True(IndexOfRun(steps, "npm ci") < smoke, "npm ci installs the smoke test's e-mails: run it before");
    }

    [Fact]
    public void The_CI_principal_is_deployed_as_a_service_principal_which_main_bicep_allows()
    {
        var steps = Steps().ToList();
        var provision = steps[IndexOfRun(steps, "azd provision")];
        Assert.Equal("ServicePrincipal", Environment(provision.Job, provision.Step).GetValueOrDefault("AZURE_PRINCIPAL_TYPE"));

        var parameters = Json.ReadObject(Path.Combine(Bicep.Infra, "main.parameters.json"));
        Assert.StartsWith("${AZURE_PRINCIPAL_TYPE", Json.Text(Json.At(parameters, "parameters.principalType.value")), StringComparison.Ordinal);
        Assert.StartsWith("${AZURE_PRINCIPAL_ID", Json.Text(Json.At(parameters, "parameters.principalId.value")), StringComparison.Ordinal);
        var allowed = Json.Items(Json.At(infra.Compiled["main.bicep"], "parameters.principalType.allowedValues")).Select(Json.Text);
        Assert.Contains("ServicePrincipal", allowed);
    }

    [Fact]
    public void Optional_repository_variables_fall_back_to_the_defaults_of_the_parameters_file()
    {
        var parameters = Json.ReadObject(Path.Combine(Bicep.Infra, "main.parameters.json"))["parameters"]!.AsObject();
        var mapped = parameters.Select(p => Json.Text(Json.At(p.Value, "value")) ?? "").ToList();
        var steps = Steps().ToList();
        var fallbacks = 0;
        foreach (var (name, value) in Environment(steps[0].Job, steps[0].Step))
        {
            if (VariableWithFallback().Match(value) is { Success: true } match)
            {
                Assert.Equal(name, match.Groups["name"].Value);
                Assert.Contains($"${{{name}={match.Groups["default"].Value}}}", mapped);
                fallbacks++;
            }
        }

        Assert.True(fallbacks > 0, "the workflow forwards no optional repository variable (TRAINER_GPU_PROFILE)");
    }

    [Fact]
    public void The_dotnet_SDK_set_up_is_the_major_version_global_json_pins_and_Node_is_20()
    {
        var global = Json.ReadObject(Path.Combine(Bicep.RepoRoot, "global.json"));
        var sdkMajor = Major(Json.Text(Json.At(global, "sdk.version")));
        Assert.Equal(Major(Repository.DotnetVersion), sdkMajor);

        var steps = Steps().ToList();
        var dotnet = Mapping(Assert.Single(steps, s => Uses(s.Step, "actions/setup-dotnet")).Step, "with");
        if (Scalar(Get(dotnet, "dotnet-version")) is { } version)
        {
            Assert.Equal(sdkMajor, Major(version));
        }
        else
        {
            Assert.Equal("global.json", Scalar(Get(dotnet, "global-json-file")));
        }

        var node = Mapping(Assert.Single(steps, s => Uses(s.Step, "actions/setup-node")).Step, "with");
        Assert.Equal("20", Major(Scalar(Get(node, "node-version"))));
    }

    [Fact]
    public void The_smoke_test_script_exists_and_is_executable()
    {
        Assert.True(File.Exists(SmokeTestPath), $"{SmokeTest} does not exist");
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(SmokeTestPath) & UnixFileMode.UserExecute) != 0, $"{SmokeTest} is not executable (chmod +x)");
        var lines = File.ReadAllLines(SmokeTestPath);
        Assert.Equal("#!/bin/sh", lines[0]);
        Assert.Contains("set -eu", lines);

        // The workflow runs the script itself, not a copy of its commands.
        var step = Steps().Single(s => Run(s.Step).Contains(SmokeTest, StringComparison.Ordinal));
        Assert.Equal(SmokeTest, Run(step.Step).Trim());
    }

    [Fact]
    public void The_smoke_test_reads_outputs_main_bicep_declares_and_uploads_where_the_pipeline_reads()
    {
        var script = File.ReadAllText(SmokeTestPath);
        var outputs = AzdValue().Matches(script).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["STORAGE_ACCOUNT_NAME", "FUNCTION_APP_URL", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME"], StringComparer.Ordinal), outputs);

        // AZURE_SUBSCRIPTION_ID is azd's own; everything else comes from main.bicep.
        foreach (var output in outputs.Where(o => o != "AZURE_SUBSCRIPTION_ID"))
        {
            Assert.True(infra.T4.Outputs!.ContainsKey(output), $"the smoke test reads {output}, which main.bicep does not output");
        }

        Assert.Contains($"uploads={StorageLayout.UploadsContainer} ", script, StringComparison.Ordinal);
        Assert.Contains($"marker={StorageLayout.UploadComplete} ", script, StringComparison.Ordinal);
        Assert.Contains("az storage blob upload-batch --auth-mode login", script, StringComparison.Ordinal);
        Assert.Contains("az functionapp keys list", script, StringComparison.Ordinal);
        Assert.Contains("--query masterKey", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_smoke_test_script_is_valid_sh()
    {
        var (exitCode, output, error) = await RunAsync("sh", ["-n", SmokeTestPath], new Dictionary<string, string>());
        Assert.True(exitCode == 0, $"sh -n {SmokeTest}: {output}{error}");
    }

    [Fact]
    public async Task The_smoke_test_gives_up_with_a_clear_message_when_no_model_goes_live()
    {
        using var fake = new FakeDeployment();
        var (exitCode, output, error) = await fake.RunAsync("[]");

        Assert.Equal(1, exitCode);
        Assert.Contains("smoke-test: FAILED: timed out: no live model 'smoke'", error, StringComparison.Ordinal);
        Assert.Contains("SMOKE_TIMEOUT_SECONDS=2", error, StringComparison.Ordinal);
        Assert.Matches(@"smoke-test: \[\d+ s\] no live model yet; no run of 'smoke' yet", output);
        Assert.Contains("uploading 4 of 4 e-mails to uploads/labeled/smoke/ (labels: ham spam)", output, StringComparison.Ordinal);

        // The uploads, signed in (shared keys are off), where UploadReceived reads them, then the completion marker.
        var az = fake.Log("az");
        Assert.Contains(az, c => c.StartsWith("storage blob upload-batch --auth-mode login --account-name stfake --destination uploads --destination-path labeled/smoke ", StringComparison.Ordinal));
        Assert.Contains(az, c => c.StartsWith("storage blob upload --auth-mode login --account-name stfake --container-name uploads --name labeled/smoke/_SUCCESS ", StringComparison.Ordinal));
        Assert.Equal(["ham/a.txt", "ham/b.txt", "spam/c.txt", "spam/d.txt"], fake.Uploaded);

        // The admin key goes to curl in a file, never on a command line.
        var curl = fake.Log("curl");
        Assert.Contains(curl, c => c.Contains("https://func-fake.azurewebsites.net/api/models", StringComparison.Ordinal));
        Assert.DoesNotContain(curl, c => c.Contains(FakeDeployment.MasterKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_smoke_test_passes_once_the_model_is_live_and_uploads_nothing_twice()
    {
        using var fake = new FakeDeployment(existing: ["labeled/smoke/ham/a.txt"]);
        var models = """[{"name":"other","live":{"name":"other","version":"o-1"}},{"name":"smoke","live":{"name":"smoke","version":"smoke-finetune-1","package":"smoke/smoke-finetune-1/","metrics":{"test.macro_f1":1}},"versions":[{"version":"smoke-finetune-1","is_live":true}]}]""";
        var (exitCode, output, error) = await fake.RunAsync(models);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("uploading 3 of 4 e-mails", output, StringComparison.Ordinal);
        Assert.Equal(["ham/b.txt", "spam/c.txt", "spam/d.txt"], fake.Uploaded);
        Assert.Contains("model 'smoke' is live: version smoke-finetune-1", output, StringComparison.Ordinal);
        Assert.Contains(fake.Log("curl"), c => c.Contains("https://func-fake.azurewebsites.net/api/classify", StringComparison.Ordinal));
    }

    /// <summary>Fake <c>azd</c>, <c>az</c> and <c>curl</c> on PATH, and a labeled set of four files, in a temporary folder.</summary>
    private sealed class FakeDeployment : IDisposable
    {
        public const string MasterKey = "fake-master-key-0123";

        private readonly string root = Path.Combine(Path.GetTempPath(), $"bertfn-smoke-{Guid.NewGuid():N}");

        public FakeDeployment(IReadOnlyList<string>? existing = null)
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
            foreach (var (label, files) in new[] { ("ham", new[] { "a.txt", "b.txt" }), ("spam", new[] { "c.txt", "d.txt" }) })
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, "data", label)).FullName;
                foreach (var file in files)
                {
                    File.WriteAllText(Path.Combine(folder, file), $"Subject: {label}\n\nan e-mail\n");
                }
            }

            File.WriteAllLines(Path.Combine(root, "existing"), existing ?? []);
            Tool(bin, "azd", """
                printf '%s\n' 'AZURE_FUNCTION_APP_NAME="func-fake"' 'AZURE_RESOURCE_GROUP="rg-fake"' \
                  'FUNCTION_APP_URL="https://func-fake.azurewebsites.net"' 'STORAGE_ACCOUNT_NAME="stfake"'
                """);
            Tool(bin, "az", $$"""
                echo "$*" >>"$FAKE_ROOT/az.log"
                case "$*" in
                  "functionapp keys list"*) echo '{{MasterKey}}' ;;
                  "storage blob list"*) cat "$FAKE_ROOT/existing" ;;
                  "storage blob upload-batch"*)
                    while [ $# -gt 0 ]; do [ "$1" = --source ] && source=$2; shift; done
                    (cd "$source" && find . -type f | sed 's|^\./||' | sort) >"$FAKE_ROOT/uploaded" ;;
                esac
                """);
            Tool(bin, "curl", """
                echo "$*" >>"$FAKE_ROOT/curl.log"
                out=/dev/null
                url=
                while [ $# -gt 0 ]; do
                  case $1 in --output) out=$2; shift ;; https://*) url=$1 ;; esac
                  shift
                done
                case $url in
                  */api/models*) cat "$FAKE_ROOT/models.json" >"$out" ;;
                  */api/classify) printf '%s' '{"model":"smoke","results":[{"label":"spam","score":0.9}]}' >"$out" ;;
                  *) printf '%s' '{"runs":[],"experiments":[],"live":[]}' >"$out" ;;
                esac
                printf 200
                """);
            Bin = bin;
        }

        private string Bin { get; }

        public IReadOnlyList<string> Uploaded => File.Exists(Path.Combine(root, "uploaded")) ? File.ReadAllLines(Path.Combine(root, "uploaded")) : [];

        public string[] Log(string tool) => File.Exists(Path.Combine(root, $"{tool}.log")) ? File.ReadAllLines(Path.Combine(root, $"{tool}.log")) : [];

        /// <summary>Runs the smoke test with <paramref name="models"/> as the models API's answer, a 2 s timeout and 1 s polls.</summary>
        public Task<(int ExitCode, string Output, string Error)> RunAsync(string models)
        {
            File.WriteAllText(Path.Combine(root, "models.json"), models);
            return AzureWorkflowTests.RunAsync("sh", [SmokeTestPath], new Dictionary<string, string>
            {
                ["PATH"] = $"{Bin}{Path.PathSeparator}{System.Environment.GetEnvironmentVariable("PATH")}",
                ["FAKE_ROOT"] = root,
                ["SMOKE_DATA"] = Path.Combine(root, "data"),
                ["SMOKE_TIMEOUT_SECONDS"] = "2",
                ["SMOKE_POLL_SECONDS"] = "1",
                ["GITHUB_ACTIONS"] = "",
            });
        }

        public void Dispose() => Directory.Delete(root, recursive: true);

        private static void Tool(string bin, string name, string body)
        {
            var path = Path.Combine(bin, name);
            File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = ChildProcess.Start(fileName, Bicep.RepoRoot, args);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SMOKE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(1), $"{fileName} {string.Join(' ', args)}").ConfigureAwait(false);
    }

    private static YamlMappingNode Workflow()
    {
        Assert.True(File.Exists(WorkflowPath), $"{WorkflowPath} does not exist");
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(WorkflowPath)))
        {
            stream.Load(reader);
        }

        var document = Assert.Single(stream.Documents);
        return Assert.IsType<YamlMappingNode>(document.RootNode);
    }

    private static IEnumerable<(string Name, YamlMappingNode Job)> Jobs(YamlMappingNode workflow) =>
        Mapping(workflow, "jobs").Children.Select(j => (Scalar(j.Key) ?? "", Assert.IsType<YamlMappingNode>(j.Value)));

    /// <summary>Every step of every job, in order, with its job and its index within the job.</summary>
    private static IEnumerable<(YamlMappingNode Job, int Index, YamlMappingNode Step)> Steps()
    {
        var workflow = Workflow();
        foreach (var (_, job) in Jobs(workflow))
        {
            var steps = Assert.IsType<YamlSequenceNode>(Get(job, "steps"));
            foreach (var (step, index) in steps.Children.Select((s, i) => (s, i)))
            {
                yield return (job, index, Assert.IsType<YamlMappingNode>(step));
            }
        }
    }

    /// <summary>The environment a step's command sees: the workflow's, the job's, then the step's own.</summary>
    private static Dictionary<string, string> Environment(YamlMappingNode job, YamlMappingNode step)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var scope in new[] { Workflow(), job, step })
        {
            if (Get(scope, "env") is YamlMappingNode values)
            {
                foreach (var (name, value) in values.Children)
                {
                    env[Scalar(name) ?? ""] = Scalar(value) ?? "";
                }
            }
        }

        return env;
    }

    private static int IndexOfRun(IReadOnlyList<(YamlMappingNode Job, int Index, YamlMappingNode Step)> steps, string command)
    {
        var matches = steps.Where(s => Run(s.Step).Contains(command, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count > 0, $"no step runs {command}");
        return matches[0].Index;
    }

    private static bool Uses(YamlMappingNode step, string action) =>
        Scalar(Get(step, "uses"))?.StartsWith(action + "@", StringComparison.OrdinalIgnoreCase) == true;

    private static string Run(YamlMappingNode step) => Scalar(Get(step, "run")) ?? "";

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static bool Has(YamlMappingNode mapping, string key) => mapping.Children.ContainsKey(new YamlScalarNode(key));

    private static YamlMappingNode Mapping(YamlMappingNode mapping, string key) =>
        Get(mapping, key) as YamlMappingNode ?? throw new InvalidDataException($"azure-dev.yml: '{key}' is not a mapping");

    private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    private static IReadOnlyList<string> Scalars(YamlNode? node) => node switch
    {
        YamlSequenceNode sequence => [.. sequence.Children.Select(Scalar).OfType<string>()],
        YamlScalarNode { Value: { } value } => [value],
        _ => [],
    };

    private static string Major(string? version) =>
        version?.Split('.')[0] is { Length: > 0 } major && major.All(char.IsAsciiDigit) ? major : throw new InvalidDataException($"'{version}' has no major version");

    /// <summary><c>owner/repo@vN</c> or <c>owner/repo/path@vN</c>: a major version tag.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@v[0-9]+$")]
    private static partial Regex PinnedAction();

    /// <summary>Names of stored credentials: passwords, client secrets, the service principal JSON of azure/login.</summary>
    [GeneratedRegex(@"password|client[-_ ]?secret|AZURE_CREDENTIALS|\bcreds\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    /// <summary>A POSIX hook's script in azure.yaml, the project's or a service's (as <see cref="Repository.AzureYaml"/> flattens it).</summary>
    [GeneratedRegex(@"^(services\.(?<service>[^.]+)\.)?hooks\.(?<hook>(pre|post)(provision|deploy|package))\.posix\.run$")]
    private static partial Regex HookKey();

    /// <summary>An Azure CLI command in a script.</summary>
    [GeneratedRegex(@"(^|[\s;&|(])az\s+[a-z]", RegexOptions.Multiline)]
    private static partial Regex AzCommand();

    /// <summary><c>${{ vars.NAME || 'default' }}</c>: an optional repository variable.</summary>
    [GeneratedRegex(@"^\$\{\{\s*vars\.(?<name>[A-Z0-9_]+)\s*\|\|\s*'(?<default>[^']*)'\s*\}\}$")]
    private static partial Regex VariableWithFallback();

    /// <summary>The smoke test's <c>value NAME</c> calls (read from <c>azd env get-values</c>).</summary>
    [GeneratedRegex(@"\$\(value (?<name>[A-Z_]+)\)")]
    private static partial Regex AzdValue();
}
