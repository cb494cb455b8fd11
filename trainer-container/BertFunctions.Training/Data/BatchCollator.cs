using BertFunctions.Datasets;
using BertFunctions.Modeling;

namespace BertFunctions.Training.Data;

/// <summary>Pads examples to the batch's longest sequence and builds the labels of either task.</summary>
/// <param name="padId">Id written into padding.</param>
/// <param name="classification">Class labels (B) instead of MLM labels (B, T).</param>
public sealed class BatchCollator(int padId, bool classification)
{
    /// <summary>One batch of <paramref name="examples"/>; <paramref name="position"/> is where the data stands after it.</summary>
    public Batch Collate(IReadOnlyList<TrainingExample> examples, DataPosition position)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            throw new ArgumentException("a batch needs at least one example", nameof(examples));
        }

        var b = examples.Count;
        var t = examples.Max(e => e.InputIds.Length);
        var ids = new long[b * t];
        var mask = new long[b * t];
        var mlm = classification ? null : new long[b * t];
        var classes = classification ? new long[b] : null;
        Array.Fill(ids, padId);
        if (mlm is not null)
        {
            Array.Fill(mlm, BertForMaskedLM.IgnoreIndex);
        }

        long tokens = 0;
        for (var i = 0; i < b; i++)
        {
            var e = examples[i];
            var row = i * t;
            for (var j = 0; j < e.InputIds.Length; j++)
            {
                ids[row + j] = e.InputIds[j];
                mask[row + j] = 1;
            }

            tokens += e.InputIds.Length;
            if (mlm is not null)
            {
                // Only the masked positions carry a label: the loss is computed there and nowhere else.
                for (var k = 0; k < e.MaskedPositions.Length; k++)
                {
                    mlm[row + e.MaskedPositions[k]] = e.MaskedOriginalIds[k];
                }
            }
            else
            {
                if (e.Label < 0)
                {
                    throw new InvalidDataException("a classification example has no label");
                }

                classes![i] = e.Label;
            }
        }

        return new Batch(b, t, ids, mask, mlm, classes, tokens, position);
    }
}
