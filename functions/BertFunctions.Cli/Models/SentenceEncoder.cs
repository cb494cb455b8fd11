using BertFunctions.Modeling;
using BertFunctions.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Cli.Models;

/// <summary>
/// Texts in, sentence embeddings out: tokenize (truncating to <see cref="MaxLength"/>), group texts of
/// similar length into batches so that little compute goes to padding, run the encoder without gradients,
/// mean-pool over the attention mask and L2-normalise. Results come back in input order.
/// </summary>
public sealed class SentenceEncoder(BertWordPieceTokenizer tokenizer, BertModel model, int maxLength, int batchSize)
{
    /// <summary>sentence-transformers truncates all-MiniLM-L6-v2 input at 256 word pieces.</summary>
    public const int DefaultMaxLength = 256;

    public int MaxLength { get; } = maxLength;

    /// <summary>Embeds <paramref name="texts"/>; <paramref name="onBatch"/> is told how many texts and tokens each batch held.</summary>
    public float[][] Encode(IReadOnlyList<string> texts, Action<int, int>? onBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Encode(texts.Select(t => tokenizer.Encode(t, null, MaxLength)).ToArray(), onBatch, cancellationToken);
    }

    /// <summary>Embeds already tokenized sequences ([CLS] ... [SEP], e.g. from dataset shards).</summary>
    public float[][] EncodeIds(IReadOnlyList<int[]> sequences, Action<int, int>? onBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return Encode(sequences.Select(ids => new BertEncoding(ids, [.. Enumerable.Repeat(1, ids.Length)], new int[ids.Length])).ToArray(), onBatch, cancellationToken);
    }

    private float[][] Encode(BertEncoding[] encodings, Action<int, int>? onBatch, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, encodings.Length).OrderBy(i => encodings[i].InputIds.Length).ToArray();
        var result = new float[encodings.Length][];

        using var noGrad = torch.no_grad();
        var device = model.Embeddings.parameters().First().device;
        var batches = 0;
        foreach (var batch in order.Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var length = batch.Max(i => encodings[i].InputIds.Length);
            var ids = new long[batch.Length * length];
            var mask = new long[batch.Length * length];
            var types = new long[batch.Length * length];
            for (var row = 0; row < batch.Length; row++)
            {
                var e = encodings[batch[row]];
                for (var t = 0; t < e.InputIds.Length; t++)
                {
                    ids[(row * length) + t] = e.InputIds[t];
                    mask[(row * length) + t] = e.AttentionMask[t];
                    types[(row * length) + t] = e.TokenTypeIds[t];
                }
            }

            long[] shape = [batch.Length, length];
            var embeddings = SentenceEmbedding.Encode(
                model,
                torch.tensor(ids, shape, device: device),
                torch.tensor(mask, shape, device: device),
                torch.tensor(types, shape, device: device));                // (B, H)
            var values = embeddings.to(torch.CPU).to_type(ScalarType.Float32).data<float>().ToArray();
            var hidden = values.Length / batch.Length;
            for (var row = 0; row < batch.Length; row++)
            {
                result[batch[row]] = values.AsSpan(row * hidden, hidden).ToArray();
            }

            onBatch?.Invoke(batch.Length, batch.Sum(i => encodings[i].InputIds.Length));
            if (++batches % 8 == 0)
            {
                NativeAllocator.Trim(); // long embeddings runs would otherwise grow resident memory; see NativeAllocator
            }
        }

        return result;
    }
}
