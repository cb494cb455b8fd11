namespace BertFunctions.Modeling;

/// <summary>A model some of whose state-dict entries are the same tensor as another entry (HF <c>_tied_weights_keys</c>).</summary>
public interface ITiedWeights
{
    /// <summary>Keys that alias another parameter: never saved, and allowed to be absent when loading.</summary>
    IReadOnlyList<string> TiedKeys { get; }
}
