namespace BertFunctions.Datasets;

/// <summary>
/// RoBERTa-style dynamic masking for the trainer: every step masks its batch afresh, with the same rules
/// as the static copies, from a generator seeded by <see cref="Seeds.DeriveDynamic"/>(runId, epoch, step),
/// so a resumed run re-creates exactly the masks it would have drawn. Read shards written with
/// <c>DupeFactor = 1</c> and pass each example (its static mask is undone first).
/// </summary>
public sealed class DynamicMasking
{
    private readonly MlmMasker _masker;
    private readonly string _runId;

    /// <summary>Dynamic masking for one training run.</summary>
    /// <param name="masker">The rules (same as used for the shards, or not).</param>
    /// <param name="runId">Names the run's random streams, e.g. the dataset version plus a run seed.</param>
    public DynamicMasking(MlmMasker masker, string runId)
    {
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentNullException.ThrowIfNull(runId);
        _masker = masker;
        _runId = runId;
    }

    /// <summary>
    /// Re-masks a batch for one step; the examples are unmasked (<see cref="TrainingExample.UnmaskedIds"/>)
    /// and masked in batch order from one generator. Labels are carried over.
    /// </summary>
    public IReadOnlyList<TrainingExample> MaskBatch(IReadOnlyList<TrainingExample> batch, int epoch, long step)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var random = new Xoshiro256StarStar(Seeds.DeriveDynamic(_runId, epoch, step));
        var masked = new TrainingExample[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            masked[i] = _masker.Mask(batch[i].UnmaskedIds(), random) with { Label = batch[i].Label };
        }

        return masked;
    }
}
