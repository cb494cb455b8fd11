using static TorchSharp.torch;

namespace BertFunctions.Export.Tests;

/// <summary>A padded batch of token sequences: (B, T) int64 arrays, row-major, padding id 0 with mask 0.</summary>
public sealed record Batch(long[] Ids, long[] Mask, long[] Types, int Size, int Length)
{
    /// <summary>Right-pads <paramref name="sequences"/> to the longest, or to <paramref name="length"/> when given.</summary>
    public static Batch Pad(IReadOnlyList<TokenSequence> sequences, int? length = null)
    {
        var t = length ?? sequences.Max(s => s.Ids.Length);
        var ids = new long[sequences.Count * t];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        for (var i = 0; i < sequences.Count; i++)
        {
            sequences[i].Ids.CopyTo(ids, i * t);
            sequences[i].Types.CopyTo(types, i * t);
            Array.Fill(mask, 1L, i * t, sequences[i].Ids.Length);
        }

        return new Batch(ids, mask, types, sequences.Count, t);
    }

    /// <summary>TorchSharp's logits (B, L) for this batch, no grad.</summary>
    public float[] TorchLogits(BertFunctions.Modeling.BertForSequenceClassification model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] shape = [Size, Length];
        return model.forward(tensor(Ids, shape), tensor(Mask, shape), tensor(Types, shape)).Logits.data<float>().ToArray();
    }
}

/// <summary>One tokenized input: ids with [CLS]/[SEP], and segment ids.</summary>
public sealed record TokenSequence(long[] Ids, long[] Types);
