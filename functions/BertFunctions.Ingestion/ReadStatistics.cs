namespace BertFunctions.Ingestion;

/// <summary>
/// Counters that <see cref="DocumentReader.ReadAsync"/> adds to as it reads. Not thread-safe: give each concurrent read its
/// own instance and combine them with <see cref="Add"/>. By construction <see cref="Records"/> = <see cref="Documents"/> +
/// <see cref="Quarantined"/>: every record seen ends up as one or the other.
/// </summary>
public sealed class ReadStatistics
{
    private readonly Dictionary<string, int> _quarantinedByReason = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _documentsByLabel = new(StringComparer.Ordinal);

    /// <summary>Inputs read (calls of <see cref="DocumentReader.ReadAsync"/>).</summary>
    public int Files { get; internal set; }

    /// <summary>Inputs that <see cref="DocumentReader.Accepts(string, ReadStatistics)"/> turned away (include/exclude globs).</summary>
    public int ExcludedFiles { get; internal set; }

    /// <summary>Bytes read from the input streams (compressed bytes for gzip inputs).</summary>
    public long Bytes { get; internal set; }

    /// <summary>Invalid bytes (for the declared or default charset) replaced by U+FFFD while decoding; the cleaner then drops the U+FFFD.</summary>
    public long InvalidBytesReplaced { get; internal set; }

    /// <summary>E-mail parts that are not text (images, archives, ...) and were skipped.</summary>
    public int SkippedAttachments { get; internal set; }

    /// <summary>Documents yielded.</summary>
    public int Documents { get; internal set; }

    /// <summary>Quarantine entries yielded.</summary>
    public int Quarantined { get; internal set; }

    /// <summary>Everything yielded: documents and quarantine entries.</summary>
    public int Records => Documents + Quarantined;

    /// <summary>Quarantine entries per <see cref="QuarantineReasons"/> code.</summary>
    public IReadOnlyDictionary<string, int> QuarantinedByReason => _quarantinedByReason;

    /// <summary>Documents per label (<c>""</c> for unlabeled documents).</summary>
    public IReadOnlyDictionary<string, int> DocumentsByLabel => _documentsByLabel;

    /// <summary>Adds another instance's counters to this one (to combine the statistics of parallel reads).</summary>
    public void Add(ReadStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Files += other.Files;
        ExcludedFiles += other.ExcludedFiles;
        Bytes += other.Bytes;
        InvalidBytesReplaced += other.InvalidBytesReplaced;
        SkippedAttachments += other.SkippedAttachments;
        Documents += other.Documents;
        Quarantined += other.Quarantined;
        foreach (var (reason, count) in other._quarantinedByReason)
        {
            _quarantinedByReason[reason] = _quarantinedByReason.GetValueOrDefault(reason) + count;
        }

        foreach (var (label, count) in other._documentsByLabel)
        {
            _documentsByLabel[label] = _documentsByLabel.GetValueOrDefault(label) + count;
        }
    }

    internal void Count(ReadItem item)
    {
        switch (item)
        {
            case ReadItem.Document d:
                Documents++;
                var label = d.Value.Label ?? "";
                _documentsByLabel[label] = _documentsByLabel.GetValueOrDefault(label) + 1;
                break;
            case ReadItem.Quarantined q:
                Quarantined++;
                _quarantinedByReason[q.Value.Reason] = _quarantinedByReason.GetValueOrDefault(q.Value.Reason) + 1;
                break;
        }
    }
}
