namespace BertFunctions.Ingestion;

/// <summary>What an input's name says: file name, folder, extension.</summary>
internal static class InputNames
{
    public static string FileName(string name)
    {
        var path = name.Replace('\\', '/');
        return path[(path.LastIndexOf('/') + 1)..];
    }

    /// <summary>The name of the folder that holds the file, or <see langword="null"/> for a bare file name.</summary>
    public static string? Folder(string name)
    {
        var path = name.Replace('\\', '/').TrimEnd('/');
        var slash = path.LastIndexOf('/');
        if (slash <= 0)
        {
            return null;
        }

        var parent = path[..slash];
        var folder = parent[(parent.LastIndexOf('/') + 1)..];
        return folder.Length == 0 ? null : folder;
    }

    /// <summary>The extension in lower case, with its dot (<c>.jsonl</c>), or <c>""</c>.</summary>
    public static string Extension(string name)
    {
        var fileName = FileName(name);
        var dot = fileName.LastIndexOf('.');
        return dot <= 0 ? "" : fileName[dot..].ToLowerInvariant();
    }

    /// <summary>The name without its last extension (<c>a/b.jsonl.gz</c> → <c>a/b.jsonl</c>).</summary>
    public static string WithoutExtension(string name)
    {
        var extension = Extension(name);
        return extension.Length == 0 ? name : name[..^extension.Length];
    }
}
