using BertFunctions.Contracts.Storage;

namespace BertFunctions.Serving.Live;

/// <summary>What a request asks for: <c>name</c> (its live version) or <c>name/version</c> (that version, pinned).</summary>
public sealed record ModelReference(string Name, string? Version)
{
    public bool IsLive => Version is null;

    /// <summary>The cache key: the name for the live model, name/version for a pinned one.</summary>
    public string Key => Version is null ? Name : $"{Name}/{Version}";

    /// <summary>Parses and validates; <see cref="ArgumentException"/> with a one-line reason otherwise.</summary>
    public static ModelReference Parse(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parts = model.Split('/');
        if (parts.Length > 2)
        {
            throw new ArgumentException($"model '{Printable(model)}' is neither NAME nor NAME/VERSION", nameof(model));
        }

        try
        {
            BlobNames.Dataset(parts[0]);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"invalid model name '{Printable(parts[0])}': use 2-63 characters of a-z, 0-9 and single hyphens", nameof(model));
        }

        if (parts.Length == 2)
        {
            try
            {
                BlobNames.Version(parts[1]);
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"invalid model version '{Printable(parts[1])}': use 1-100 characters of A-Z, a-z, 0-9, '-' and '_'", nameof(model));
            }
        }

        return new ModelReference(parts[0], parts.Length == 2 ? parts[1] : null);
    }

    public override string ToString() => Key;

    // Names come from requests: never echo more than a short, printable prefix.
    private static string Printable(string value)
    {
        var shown = value.Length > 80 ? value[..80] + "..." : value;
        return string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c));
    }
}
