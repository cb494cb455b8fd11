namespace BertFunctions.Ingestion;

/// <summary>Applies the label options: field or folder label, the label map, the allowed list, the labeled-data rule.</summary>
internal sealed class LabelResolver
{
    private readonly IngestionOptions _options;
    private readonly IReadOnlyList<(Glob Glob, string Label)> _map;
    private readonly HashSet<string>? _allowed;

    public LabelResolver(IngestionOptions options)
    {
        _options = options;
        _map = [.. options.LabelMap.Select(r => (new Glob(r.Pattern), r.Label))];
        _allowed = options.AllowedLabels is null ? null : new HashSet<string>(options.AllowedLabels, StringComparer.Ordinal);
    }

    /// <summary>The folder label of an input, when <see cref="IngestionOptions.LabelFromFolder"/> asks for it.</summary>
    public string? FolderLabel(string name) => _options.LabelFromFolder ? InputNames.Folder(name) : null;

    /// <summary>The final label, or the quarantine reason and detail that stop the record.</summary>
    public (string? Label, string? Reason, string Detail) Resolve(string? fieldLabel, string? folderLabel)
    {
        // A record's own label is more specific than the folder it sits in.
        var raw = string.IsNullOrWhiteSpace(fieldLabel) ? folderLabel : fieldLabel.Trim();
        if (string.IsNullOrEmpty(raw))
        {
            return _options.Labeled
                ? (null, QuarantineReasons.MissingLabel, _options.LabelFromFolder
                    ? $"no '{_options.LabelField}' value and no folder to take the label from"
                    : $"no '{_options.LabelField}' value")
                : (null, null, "");
        }

        var label = raw;
        foreach (var (glob, mapped) in _map)
        {
            if (glob.IsMatch(raw))
            {
                label = mapped;
                break;
            }
        }

        if (_allowed is not null && !_allowed.Contains(label))
        {
            var mappedFrom = label == raw ? "" : $" (mapped from '{raw}')";
            return (null, QuarantineReasons.UnknownLabel, $"label '{label}'{mappedFrom} is not one of: {string.Join(", ", _allowed)}");
        }

        return (label, null, "");
    }
}
