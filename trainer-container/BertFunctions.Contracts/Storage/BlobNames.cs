using System.Text.RegularExpressions;

namespace BertFunctions.Contracts.Storage;

/// <summary>
/// Validation of every name that ends up in a blob path. Names come from users (dataset names, uploaded paths)
/// and from events; a name that could escape its prefix or confuse a tool is refused with a clear message.
/// </summary>
public static partial class BlobNames
{
    /// <summary>Azure's limit on a blob name, in characters.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>A dataset name: 2-63 characters, lower-case letters, digits and single hyphens, like a container name.</summary>
    public static string Dataset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return DatasetPattern().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal)
            ? name
            : throw new ArgumentException($"invalid dataset name '{Printable(name)}': use 2-63 characters of a-z, 0-9 and single hyphens, starting with a letter or digit", nameof(name));
    }

    /// <summary>A version or run id: hex, letters, digits, '-' and '_' (content hashes, timestamps).</summary>
    public static string Version(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return VersionPattern().IsMatch(id)
            ? id
            : throw new ArgumentException($"invalid version id '{Printable(id)}': use 1-100 characters of A-Z, a-z, 0-9, '-' and '_'", nameof(id));
    }

    /// <summary>
    /// A relative path inside a prefix: '/'-separated segments, none empty, '.' or '..', no backslashes or control
    /// characters, at most 1024 characters in all. Returned unchanged when valid.
    /// </summary>
    public static string RelativePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? problem = path switch
        {
            "" => "is empty",
            _ when path.Length > MaxBlobNameLength => $"is longer than {MaxBlobNameLength} characters",
            _ when path.StartsWith('/') => "starts with '/'",
            _ when path.Contains('\\', StringComparison.Ordinal) => "contains a backslash",
            _ when HasBadCharacter(path) => "contains a control character or an unpaired surrogate",
            _ when path.Split('/').Any(s => s is "" or "." or "..") => "has an empty, '.' or '..' segment",
            _ => null,
        };
        return problem is null ? path : throw new ArgumentException($"invalid blob path '{Printable(path)}': it {problem}", nameof(path));
    }

    private static bool HasBadCharacter(string path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            if (char.IsControl(path[i]))
            {
                return true;
            }

            if (char.IsHighSurrogate(path[i]) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(path[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Printable(string s)
    {
        var shown = new string(s.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return s.Length > 80 ? shown + "..." : shown;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex DatasetPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex VersionPattern();
}
