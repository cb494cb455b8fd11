namespace BertFunctions.Datasets;

/// <summary>How often one id occurs.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Count">Occurrences (in the unmasked sequences).</param>
public sealed record TokenCount(int Id, long Count);
