using System.Reflection;
using System.Text.RegularExpressions;

namespace BertFunctions.Infra.Tests;

/// <summary>
/// The Bicep CLI restored by this project's <c>PackageDownload</c> (Azure.Bicep.CommandLine.linux-x64, version in
/// Directory.Packages.props), run as a process. <c>BERTFN_BICEP</c> points at another binary if needed.
/// </summary>
internal static partial class Bicep
{
    public static string RepoRoot { get; } = Path.GetFullPath(Metadata("RepoRoot"));

    public static string Infra { get; } = Path.Combine(RepoRoot, "infra");

    public static string Cli { get; } = Environment.GetEnvironmentVariable("BERTFN_BICEP") is { Length: > 0 } path ? path : Metadata("BicepCli");

    /// <summary>Runs <c>bicep ARGS</c> in <paramref name="workingDirectory"/>; stdout and stderr together.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        if (!File.Exists(Cli))
        {
            throw new FileNotFoundException($"the Bicep CLI is not at {Cli}: restore tests/BertFunctions.Infra.Tests (PackageDownload of Azure.Bicep.CommandLine.linux-x64) or set BERTFN_BICEP");
        }

        // NuGet may extract the binary without its execute bit.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Cli) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(Cli, File.GetUnixFileMode(Cli) | UnixFileMode.UserExecute);
        }

        var start = ChildProcess.Start(Cli, workingDirectory, args);

        // Offline and quiet: no telemetry, no update checks.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(3), $"bicep {string.Join(' ', args)}").ConfigureAwait(false);
        return (exitCode, stdout + stderr);
    }

    /// <summary>The diagnostics (errors, warnings, infos) in Bicep's default output: <c>file(line,col) : Level code: message</c>.</summary>
    public static IReadOnlyList<string> Diagnostics(string output) =>
        [.. output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => DiagnosticLine().IsMatch(l))];

    [GeneratedRegex(@"\(\d+,\d+\) : (Error|Warning|Info)\b")]
    private static partial Regex DiagnosticLine();

    private static string Metadata(string key) =>
        typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is missing");
}
