namespace BertFunctions.Datasets;

/// <summary>How the selected positions of one sequence were treated (BERT's 80/10/10 rule).</summary>
/// <param name="Masked">Replaced by [MASK].</param>
/// <param name="Random">Replaced by a random non-special id (which may, rarely, equal the original).</param>
/// <param name="Unchanged">Left as they were.</param>
public readonly record struct MaskingOutcome(int Masked, int Random, int Unchanged)
{
    /// <summary>Number of selected positions.</summary>
    public int Selected => Masked + Random + Unchanged;
}
