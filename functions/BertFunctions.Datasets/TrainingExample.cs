namespace BertFunctions.Datasets;

/// <summary>
/// One training example as stored in a shard. Attention mask and token type ids are not stored: the mask
/// is all ones over <see cref="InputIds"/> (the trainer pads), and type ids are all 0 (one segment).
/// </summary>
/// <param name="InputIds">[CLS] ... [SEP], already masked for pretraining; no padding.</param>
/// <param name="MaskedPositions">Ascending, unique indexes into <see cref="InputIds"/> the MLM loss is computed at; empty for classification.</param>
/// <param name="MaskedOriginalIds">The ids that stood at <see cref="MaskedPositions"/> before masking (the labels of the MLM loss).</param>
/// <param name="Label">Class id for classification; -1 for none (pretraining, or unlabelled text).</param>
public sealed record TrainingExample(int[] InputIds, int[] MaskedPositions, int[] MaskedOriginalIds, int Label)
{
    /// <summary>The label of an example without one.</summary>
    public const int NoLabel = -1;

    /// <summary>The sequence before masking: <see cref="InputIds"/> with the original ids put back (what dynamic masking starts from).</summary>
    public int[] UnmaskedIds()
    {
        var ids = (int[])InputIds.Clone();
        for (var i = 0; i < MaskedPositions.Length; i++)
        {
            ids[MaskedPositions[i]] = MaskedOriginalIds[i];
        }

        return ids;
    }

    /// <summary>Value equality over the array contents (records compare arrays by reference).</summary>
    public bool ContentEquals(TrainingExample? other) =>
        other is not null
        && Label == other.Label
        && InputIds.AsSpan().SequenceEqual(other.InputIds)
        && MaskedPositions.AsSpan().SequenceEqual(other.MaskedPositions)
        && MaskedOriginalIds.AsSpan().SequenceEqual(other.MaskedOriginalIds);
}
