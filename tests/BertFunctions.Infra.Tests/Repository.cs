using System.Text.RegularExpressions;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;

namespace BertFunctions.Infra.Tests;

/// <summary>What the templates must agree with, read from the code and the repository's files.</summary>
internal static partial class Repository
{
    /// <summary>Every container the code uses (StorageLayout's *Container constants).</summary>
    public static IReadOnlyList<string> Containers { get; } = Constants(typeof(StorageLayout), name => name.EndsWith("Container", StringComparison.Ordinal));

    /// <summary>Every queue the code uses (TrainingQueues).</summary>
    public static IReadOnlyList<string> Queues { get; } = Constants(typeof(TrainingQueues), _ => true);

    /// <summary>The .NET version the projects target (Directory.Build.props: net10.0 → 10.0).</summary>
    public static string DotnetVersion
    {
        get
        {
            var props = File.ReadAllText(Path.Combine(Bicep.RepoRoot, "Directory.Build.props"));
            var match = TargetFramework().Match(props);
            return match.Success ? match.Groups["version"].Value : throw new InvalidDataException("no <TargetFramework>netX.Y</TargetFramework> in Directory.Build.props");
        }
    }

    /// <summary>The connection names the Functions app's triggers use (<c>Connection = "..."</c>).</summary>
    public static IReadOnlyList<string> TriggerConnections =>
        [.. Directory.EnumerateFiles(Path.Combine(Bicep.RepoRoot, "functions", "BertFunctions.Functions"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => ConnectionName().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value))
            .Distinct(StringComparer.Ordinal)];

    /// <summary>The blob trigger: its function name and the container of its path (Triggers/UploadTrigger.cs).</summary>
    public static (string Function, string Container) UploadTrigger
    {
        get
        {
            var code = File.ReadAllText(Path.Combine(Bicep.RepoRoot, "functions", "BertFunctions.Functions", "Triggers", "UploadTrigger.cs"));
            var function = FunctionName().Match(code);
            var trigger = BlobTriggerPath().Match(code);
            return function.Success && trigger.Success
                ? (function.Groups["name"].Value, trigger.Groups["container"].Value)
                : throw new InvalidDataException("UploadTrigger.cs: no [Function(\"...\")] with a [BlobTrigger(\"container/...\")]");
        }
    }

    public static string Dockerfile => File.ReadAllText(Path.Combine(Bicep.RepoRoot, "trainer-container", "Dockerfile"));

    /// <summary>
    /// azure.yaml as "a.b.c" → value, lists as "a.b[]" → items. Enough YAML for this file (block mappings and
    /// sequences of scalars); anything else is refused rather than misread.
    /// </summary>
    public static IReadOnlyDictionary<string, List<string>> AzureYaml()
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var path = new List<(int Indent, string Key)>();
        foreach (var raw in File.ReadAllLines(Path.Combine(Bicep.RepoRoot, "azure.yaml")))
        {
            var line = YamlComment().Replace(raw, "").TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            var text = line.Trim();
            // A sequence may sit at its key's own indentation.
            while (path.Count > 0 && path[^1].Indent >= indent && !(text.StartsWith("- ", StringComparison.Ordinal) && path[^1].Indent == indent))
            {
                path.RemoveAt(path.Count - 1);
            }

            var prefix = string.Join('.', path.Select(p => p.Key));
            if (text.StartsWith("- ", StringComparison.Ordinal))
            {
                Add($"{prefix}[]", Unquote(text[2..]));
                continue;
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"azure.yaml: cannot read '{raw}'");
            }

            var key = text[..colon].Trim();
            var value = text[(colon + 1)..].Trim();
            if (value.Length == 0)
            {
                path.Add((indent, key));
            }
            else
            {
                Add(prefix.Length == 0 ? key : $"{prefix}.{key}", Unquote(value));
            }
        }

        return values;

        void Add(string key, string value)
        {
            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(value);
        }

        static string Unquote(string value) => value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
    }

    private static List<string> Constants(Type type, Func<string, bool> include) =>
        [.. type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && include(f.Name))
            .Select(f => (string)f.GetRawConstantValue()!)];

    [GeneratedRegex(@"<TargetFramework>net(?<version>\d+\.\d+)</TargetFramework>")]
    private static partial Regex TargetFramework();

    [GeneratedRegex(@"Connection\s*=\s*""(?<name>[^""]+)""")]
    private static partial Regex ConnectionName();

    [GeneratedRegex(@"\[Function\(""(?<name>[^""]+)""\)\]")]
    private static partial Regex FunctionName();

    [GeneratedRegex(@"BlobTrigger\(""(?<container>[a-z0-9-]+)/")]
    private static partial Regex BlobTriggerPath();

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex YamlComment();
}
