
namespace BertFunctions.Infra.Tests;

/// <summary>
/// infra/hooks/preprovision.sh, the azd preprovision hook, stops <c>azd up</c> before anything is created when the
/// region lacks Flex Consumption, the serverless GPU workload profile main.bicep deploys, or GPU quota, and says so.
/// It runs here with a fake <c>az</c> first on PATH (a shell script written by the test) that answers the commands the
/// hook runs with the canned output of the scenario named by <c>FAKE_AZ_SCENARIO</c>, and refuses every other call.
/// </summary>
public sealed class PreprovisionTests(InfraTemplates infra) : IDisposable
{
    private const string Hook = "infra/hooks/preprovision.sh";
    private const string WindowsHook = "infra/hooks/preprovision.ps1";
    private const string Subscription = "00000000-0000-0000-0000-00000000c1c1";

    // The JMESPath projections the hook asks for with --output tsv (the Azure CLI needs no jq that way); the fake
    // answers only these, so a changed query fails here rather than on a user's machine.
    private const string NamesQuery = "[].name";
    private const string UsagesQuery = "value[].[name.value, name.localizedValue, limit, currentValue, usage]";

    private const string T4Quota = "SubscriptionConsumptionT4Gpus";
    private const string A100Quota = "SubscriptionConsumptionNCA100Gpus";

    /// <summary>
    /// A fake Azure CLI: logs each call, then answers from <c>$FAKE_AZ_ROOT/$FAKE_AZ_SCENARIO</c> (files written by
    /// <see cref="Scenario.Write"/>) with what the real one prints for the hook's queries, or fails as it would.
    /// </summary>
    private const string FakeAz = $$"""
        #!/bin/sh
        set -eu
        answers="$FAKE_AZ_ROOT/$FAKE_AZ_SCENARIO"
        printf '%s\n' "$*" >>"$FAKE_AZ_ROOT/calls.log"
        words= location= query= output=
        while [ $# -gt 0 ]; do
          case "$1" in
            --location|-l) location=$2; shift ;;
            --query) query=$2; shift ;;
            --output|-o) output=$2; shift ;;
            --subscription) [ "$2" = '{{Subscription}}' ] || { echo "ERROR: fake az: unknown subscription $2" >&2; exit 1; }; shift ;;
            --only-show-errors) ;;
            *) words="${words:+$words }$1" ;;
          esac
          shift
        done
        unexpected() { echo "ERROR: fake az: unexpected call: az $words (query '$query', output '$output')" >&2; exit 2; }
        case "$words" in
          "account show")
            if [ -f "$answers/signed-out" ]; then echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; fi ;;
          "functionapp list-flexconsumption-locations")
            [ "$query" = '{{NamesQuery}}' ] && [ "$output" = tsv ] || unexpected
            cat "$answers/flex" ;;
          "containerapp env workload-profile list-supported")
            [ "$query" = '{{NamesQuery}}' ] && [ "$output" = tsv ] && [ -n "$location" ] || unexpected
            if [ ! -f "$answers/profiles-$location" ]; then
              echo "ERROR: (NoRegisteredProviderFound) No registered resource provider found for location '$location'." >&2; exit 1
            fi
            cat "$answers/profiles-$location" ;;
          "containerapp list-usages")
            [ "$query" = '{{UsagesQuery}}' ] && [ "$output" = tsv ] && [ -n "$location" ] || unexpected
            if [ ! -f "$answers/usages-$location" ]; then
              echo "ERROR: 'list-usages' is misspelled or not recognized by the system." >&2; exit 2
            fi
            cat "$answers/usages-$location" ;;
          *) unexpected ;;
        esac
        """;

    private readonly string root = Path.Combine(Path.GetTempPath(), $"bertfn-preprovision-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("T4")]
    [InlineData("A100")]
    public async Task A_region_with_Flex_Consumption_and_the_gpu_profile_main_bicep_deploys_passes(string gpu)
    {
        var profile = DeployedGpuProfile(gpu);
        var scenario = Scenario.Default with
        {
            Profiles = new Dictionary<string, IReadOnlyList<string>> { ["westus3"] = ["Consumption", "Dedicated-D4", profile] },
        };

        var run = await RunAsync(scenario, "westus3", gpu);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"preprovision: westus3 offers Flex Consumption and {profile}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"preprovision: serverless {gpu} GPU quota in westus3:", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);

        // The documented commands, for the azd environment's subscription and region; nothing else.
        Assert.Equal(
            [
                "account show",
                $"account show --subscription {Subscription}",
                "functionapp list-flexconsumption-locations",
                "containerapp env workload-profile list-supported --location westus3",
                "containerapp list-usages --location westus3",
            ],
            run.Calls.Select(c => c.Split([" --query ", " --only-show-errors"], 2, StringSplitOptions.None)[0]));
        Assert.All(run.Calls.Skip(1), c => Assert.Contains($"--subscription {Subscription}", c, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_region_without_Flex_Consumption_stops_provisioning_and_names_the_regions_that_offer_both()
    {
        var run = await RunAsync(Scenario.Default, "brazilsouth", "T4");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("preprovision: region brazilsouth does not offer Flex Consumption, which the Functions app needs", run.Error, StringComparison.Ordinal);
        Assert.Contains("preprovision: regions that offer both Flex Consumption and Consumption-GPU-NC8as-T4: westus3, swedencentral; choose one with 'azd env set AZURE_LOCATION REGION'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("workload profile", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Calls, c => c.StartsWith("containerapp list-usages", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("northeurope", "A100", "westus3, australiaeast")]
    [InlineData("eastus", "T4", "westus3, swedencentral")]
    public async Task A_region_without_the_gpu_profile_stops_provisioning_and_names_the_regions_that_offer_both(string location, string gpu, string regions)
    {
        var profile = InfraChecks.GpuProfiles[gpu].Type;
        var run = await RunAsync(Scenario.Default, location, gpu);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"preprovision: region {location} does not offer the serverless GPU workload profile {profile} (TRAINER_GPU_PROFILE={gpu}), which the trainer needs", run.Error, StringComparison.Ordinal);
        Assert.Contains($"preprovision: regions that offer both Flex Consumption and {profile}: {regions}; choose one", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Flex Consumption, which", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_region_with_the_other_gpu_profile_only_suggests_switching_the_profile()
    {
        var run = await RunAsync(Scenario.Default, "australiaeast", "T4");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("preprovision: region australiaeast offers Consumption-GPU-NC24-A100: 'azd env set TRAINER_GPU_PROFILE A100' to use it instead", run.Error, StringComparison.Ordinal);
        Assert.Contains("Consumption-GPU-NC8as-T4: westus3, swedencentral;", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_no_region_offers_both_it_says_so()
    {
        var run = await RunAsync(Scenario.Default with { Flex = ["eastus", "northeurope"] }, "northeurope", "T4");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("preprovision: no region offers both Flex Consumption and Consumption-GPU-NC8as-T4 to this subscription", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_gpu_quota_in_the_region_stops_provisioning()
    {
        var scenario = Scenario.Default with
        {
            Usages = new Dictionary<string, IReadOnlyList<string>> { ["westus3"] = [$"{T4Quota}\tSubscription Consumption T4 GPUs\t0\t0\t"] },
        };

        var run = await RunAsync(scenario, "westus3", "T4");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("preprovision: the subscription has no serverless T4 GPU quota in westus3 (Subscription Consumption T4 GPUs: limit 0): request it under Quotas > Azure Container Apps", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gpu_quota_the_cli_cannot_read_is_a_warning_and_provisioning_goes_on(bool listed)
    {
        // Not listed: an az without `containerapp list-usages` (it fails), or a list without the GPU quota.
        var scenario = Scenario.Default with
        {
            Usages = listed
                ? new Dictionary<string, IReadOnlyList<string>> { ["westus3"] = ["ManagedEnvironmentCount\tManaged Environment Count\t15\t1\t"] }
                : new Dictionary<string, IReadOnlyList<string>>(),
        };

        var run = await RunAsync(scenario, "westus3", "T4");

        Assert.True(run.ExitCode == 0, run.ToString());
        var warning = listed
            ? $"preprovision: warning: az containerapp list-usages does not list the serverless GPU quota {T4Quota} in westus3, so it cannot be checked; continuing"
            : $"preprovision: warning: could not read the serverless GPU quota ({T4Quota}) in westus3 (az containerapp list-usages: 'list-usages' is misspelled or not recognized by the system.); continuing";
        Assert.Contains(warning, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Less_gpu_quota_than_the_trainer_may_use_at_once_is_a_warning()
    {
        var run = await RunAsync(Scenario.Default, "westus3", "T4", new() { ["TRAINER_MAX_EXECUTIONS"] = "4", ["TRAINER_PARALLELISM"] = "2" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("preprovision: warning: serverless T4 GPU quota in westus3: 1 of 4 in use, and the trainer may use 8 at once", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_Azure_CLI_it_stops_with_a_clear_error()
    {
        var run = await RunAsync(Scenario.Default, "westus3", "T4", withAz: false);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Equal(
            "preprovision: the Azure CLI (az) is required to check the region before provisioning: install it (https://aka.ms/installazurecli), run 'az login', then azd up again",
            run.Error.Trim());
    }

    [Fact]
    public async Task A_signed_out_Azure_CLI_stops_with_a_clear_error()
    {
        var run = await RunAsync(Scenario.Default with { SignedIn = false }, "westus3", "T4");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Equal(
            "preprovision: the Azure CLI is not signed in (Please run 'az login' to setup account.): run 'az login' (the same tenant as 'azd auth login'), then azd up again",
            run.Error.Trim());
    }

    [Theory]
    [InlineData("", "T4", "preprovision: AZURE_LOCATION is not set: choose a region first, e.g. 'azd env set AZURE_LOCATION westus3'")]
    [InlineData("westus3", "t4", "preprovision: TRAINER_GPU_PROFILE is 't4'; it must be T4 or A100")]
    [InlineData("westus9", "T4", "preprovision: could not list the workload profiles of region 'westus9' (az containerapp env workload-profile list-supported: (NoRegisteredProviderFound)")]
    public async Task A_missing_or_unknown_setting_stops_with_a_clear_error(string location, string gpu, string error)
    {
        var run = await RunAsync(Scenario.Default, location, gpu);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.StartsWith(error, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_yaml_runs_the_preprovision_hooks_for_posix_and_windows_and_both_ask_az_the_same()
    {
        var yaml = Repository.AzureYaml();
        string One(string key) => Assert.Single(yaml.TryGetValue(key, out var values) ? values : []);

        Assert.Equal("sh", One("hooks.preprovision.posix.shell"));
        Assert.Equal(Hook, One("hooks.preprovision.posix.run"));
        Assert.Equal("false", One("hooks.preprovision.posix.continueOnError"));
        Assert.Equal("pwsh", One("hooks.preprovision.windows.shell"));
        Assert.Equal(WindowsHook, One("hooks.preprovision.windows.run"));
        Assert.Equal("false", One("hooks.preprovision.windows.continueOnError"));

        var posix = Path.Combine(Bicep.RepoRoot, Hook);
        var windows = Path.Combine(Bicep.RepoRoot, WindowsHook);
        Assert.True(File.Exists(posix), $"{posix} does not exist");
        Assert.True(File.Exists(windows), $"{windows} does not exist");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(posix) & UnixFileMode.UserExecute) != 0, $"{Hook} is not executable");
        }

        // pwsh is not on the test machines: the Windows hook is only read. It must ask az the same questions, for
        // the same profiles and quotas, and say the same things.
        var sh = File.ReadAllText(posix);
        var ps1 = File.ReadAllText(windows);
        foreach (var text in new[]
        {
            "account show", "list-flexconsumption-locations", "list-supported", "list-usages", "--location", "--subscription",
            "--only-show-errors", "--output", "tsv", $"'{NamesQuery}'", $"'{UsagesQuery}'", T4Quota, A100Quota,
            InfraChecks.GpuProfiles["T4"].Type, InfraChecks.GpuProfiles["A100"].Type,
            "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID", "TRAINER_GPU_PROFILE", "TRAINER_MAX_EXECUTIONS", "TRAINER_PARALLELISM",
            "does not offer Flex Consumption, which the Functions app needs",
            "does not offer the serverless GPU workload profile",
            "regions that offer both Flex Consumption and",
            "the Azure CLI (az) is required to check the region before provisioning",
            "the Azure CLI is not signed in",
            "GPU quota in",
        })
        {
            Assert.Contains(text, sh, StringComparison.Ordinal);
            Assert.Contains(text, ps1, StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The serverless GPU workload profile type of the trainer's environment in main.bicep's deployment.</summary>
    private string DeployedGpuProfile(string gpu)
    {
        var environment = Assert.Single(infra.Get(gpu).OfType(InfraChecks.EnvironmentType));
        var types = Json.Items(Json.At(environment, "properties.workloadProfiles")).Select(p => Json.Text(Json.At(p, "workloadProfileType")) ?? "");
        return Assert.Single(types, t => t.StartsWith("Consumption-GPU-", StringComparison.Ordinal));
    }

    /// <summary>Runs the hook with <c>sh</c>, as azd does, with the azd environment's variables and the fake az.</summary>
    private async Task<Run> RunAsync(Scenario scenario, string location, string gpu, Dictionary<string, string>? more = null, bool withAz = true)
    {
        var name = $"scenario-{Guid.NewGuid():N}";
        scenario.Write(Path.Combine(root, name));
        var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        var az = Path.Combine(bin, "az");
        await File.WriteAllTextAsync(az, FakeAz.ReplaceLineEndings("\n") + "\n").ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Only the tools the hook may use, so that an az installed on this machine is never found.
        var tools = Directory.CreateDirectory(Path.Combine(root, "tools")).FullName;
        foreach (var tool in new[] { "awk", "cat", "grep", "mktemp", "rm", "sed", "tr" })
        {
            var link = Path.Combine(tools, tool);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Which(tool));
            }
        }

        var start = ChildProcess.Start("/bin/sh", Bicep.RepoRoot, [Path.Combine(Bicep.RepoRoot, Hook)]);
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.Ordinal) || k.StartsWith("TRAINER_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        start.Environment["PATH"] = withAz ? $"{bin}{Path.PathSeparator}{tools}" : tools;
        start.Environment["FAKE_AZ_ROOT"] = root;
        start.Environment["FAKE_AZ_SCENARIO"] = name;
        start.Environment["AZURE_ENV_NAME"] = "bertfn";
        start.Environment["AZURE_SUBSCRIPTION_ID"] = Subscription;
        start.Environment["AZURE_LOCATION"] = location;
        start.Environment["TRAINER_GPU_PROFILE"] = gpu;
        foreach (var (variable, value) in more ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(1), Hook).ConfigureAwait(false);

        var log = Path.Combine(root, "calls.log");
        string[] calls = File.Exists(log) ? await File.ReadAllLinesAsync(log).ConfigureAwait(false) : [];
        File.Delete(log);
        return new Run(exitCode, stdout, stderr, calls);
    }

    private static string Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{tool} is not on PATH; the hook needs it");

    private sealed record Run(int ExitCode, string Output, string Error, IReadOnlyList<string> Calls)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}\naz calls:\n{string.Join('\n', Calls)}";
    }

    /// <summary>What the fake az knows: the Flex Consumption regions, each region's workload profiles and quotas.</summary>
    private sealed record Scenario
    {
        /// <summary>
        /// westus3 offers Flex Consumption and both GPUs, swedencentral and australiaeast one each, eastus and
        /// northeurope none; brazilsouth offers T4 without Flex Consumption. Quotas only in westus3.
        /// </summary>
        public static Scenario Default { get; } = new();

        public IReadOnlyList<string> Flex { get; init; } = ["eastus", "westus3", "swedencentral", "northeurope", "australiaeast"];

        public IReadOnlyDictionary<string, IReadOnlyList<string>> Profiles { get; init; } = new Dictionary<string, IReadOnlyList<string>>
        {
            ["westus3"] = ["Consumption", "Dedicated-D4", "Consumption-GPU-NC8as-T4", "Consumption-GPU-NC24-A100"],
            ["swedencentral"] = ["Consumption", "Consumption-GPU-NC8as-T4"],
            ["australiaeast"] = ["Consumption", "Consumption-GPU-NC24-A100"],
            ["eastus"] = ["Consumption", "Dedicated-D4"],
            ["northeurope"] = ["Consumption"],
            ["brazilsouth"] = ["Consumption", "Consumption-GPU-NC8as-T4"],
        };

        /// <summary>Rows of name, display name, limit, currentValue, usage (tab-separated), by region.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Usages { get; init; } = new Dictionary<string, IReadOnlyList<string>>
        {
            ["westus3"] =
            [
                "ManagedEnvironmentCount\tManaged Environment Count\t15\t1\t",
                $"{T4Quota}\tSubscription Consumption T4 GPUs\t4\t1\t",
                $"{A100Quota}\tSubscription Consumption NCA100 GPUs\t2\t0\t",
            ],
        };

        public bool SignedIn { get; init; } = true;

        public void Write(string folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllLines(Path.Combine(folder, "flex"), Flex);
            foreach (var (region, profiles) in Profiles)
            {
                File.WriteAllLines(Path.Combine(folder, $"profiles-{region}"), profiles);
            }

            foreach (var (region, rows) in Usages)
            {
                File.WriteAllLines(Path.Combine(folder, $"usages-{region}"), rows);
            }

            if (!SignedIn)
            {
                File.WriteAllText(Path.Combine(folder, "signed-out"), "");
            }
        }
    }
}
