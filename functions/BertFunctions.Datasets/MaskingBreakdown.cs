namespace BertFunctions.Datasets;

/// <summary>
/// Masked positions by what the input shows there, as a reader of the shard sees it: [MASK], another id
/// (random replacement), or the original id (unchanged — including the rare random draw of the original).
/// </summary>
public sealed class MaskingBreakdown
{
    /// <summary>All masked (predicted) positions.</summary>
    public long Selected { get; set; }

    /// <summary>Positions showing [MASK] (BERT: 80 %).</summary>
    public long MaskToken { get; set; }

    /// <summary>Positions showing a different id (BERT: 10 %).</summary>
    public long RandomToken { get; set; }

    /// <summary>Positions showing the original id (BERT: 10 %).</summary>
    public long Unchanged { get; set; }

    internal void Merge(MaskingBreakdown other)
    {
        Selected += other.Selected;
        MaskToken += other.MaskToken;
        RandomToken += other.RandomToken;
        Unchanged += other.Unchanged;
    }
}
