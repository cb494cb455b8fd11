using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>What <see cref="StrictLoader.Load"/> did besides copying: checkpoint keys it skipped on purpose.</summary>
/// <param name="Loaded">Model keys filled from the checkpoint.</param>
/// <param name="Ignored">Checkpoint keys that belong to no part of this model (other heads, old buffers), as HF ignores them.</param>
public sealed record LoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Ignored);

/// <summary>
/// Copies a checkpoint into a model the way nanoGPT's <c>from_pretrained</c> does: every model key must be in the
/// checkpoint with the same shape, and every checkpoint key must be used; all problems are reported in one
/// <see cref="StateDictMismatchException"/>, and nothing is copied unless all is well.
/// Accepts HF checkpoints of <c>BertModel</c> (no prefix) or <c>BertFor*</c> (<c>bert.</c> prefix) for either kind of
/// model, old <c>LayerNorm.gamma</c>/<c>beta</c> names, and checkpoints without the tied decoder weights.
/// </summary>
public static class StrictLoader
{
    private const string BertPrefix = "bert.";

    /// <summary>Loads <paramref name="checkpoint"/> into <paramref name="model"/> (any device or float dtype: values are converted).</summary>
    /// <param name="model">Target; its <c>state_dict()</c> keys define what is required.</param>
    /// <param name="checkpoint">Named tensors, e.g. from <see cref="SafeTensors.Read"/>.</param>
    /// <param name="source">What the checkpoint is, for the error message (e.g. a file path).</param>
    public static LoadReport Load(nn.Module model, IReadOnlyDictionary<string, Tensor> checkpoint, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var target = model.state_dict();
        var tied = (model as ITiedWeights)?.TiedKeys ?? [];
        var targetHasPrefix = target.Keys.Any(k => k.StartsWith(BertPrefix, StringComparison.Ordinal));
        var sourceHasPrefix = checkpoint.Keys.Any(k => k.StartsWith(BertPrefix, StringComparison.Ordinal));

        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var ignored = new List<string>();
        foreach (var (originalKey, value) in checkpoint)
        {
            var key = RenameLegacy(originalKey);
            if (sourceHasPrefix && !targetHasPrefix)
            {
                // A BertFor* checkpoint loaded into a bare encoder: keep the encoder, skip the heads.
                if (!key.StartsWith(BertPrefix, StringComparison.Ordinal))
                {
                    ignored.Add(originalKey);
                    continue;
                }

                key = key[BertPrefix.Length..];
            }
            else if (targetHasPrefix && !sourceHasPrefix)
            {
                key = BertPrefix + key;
            }

            if (!target.ContainsKey(key) && IsIgnorable(key))
            {
                ignored.Add(originalKey);
                continue;
            }

            renamed[key] = value;
        }

        var missing = target.Keys.Where(k => !renamed.ContainsKey(k) && !tied.Contains(k)).ToList();
        var unexpected = renamed.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var shapes = renamed.Where(kv => target.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key}: checkpoint [{string.Join(", ", kv.Value.shape)}], model [{string.Join(", ", target[kv.Key].shape)}]")
            .ToList();
        if (missing.Count + unexpected.Count + shapes.Count > 0)
        {
            throw new StateDictMismatchException(source, model.GetName(), missing, unexpected, shapes);
        }

        using (no_grad())
        {
            foreach (var (key, value) in renamed)
            {
                // A tied alias is the same tensor as its partner; copying the partner is enough.
                if (!tied.Contains(key))
                {
                    target[key].copy_(value);
                }
            }
        }

        return new LoadReport(renamed.Keys.Where(k => !tied.Contains(k)).ToList(), ignored);
    }

    /// <summary>TF-era checkpoints name LayerNorm parameters gamma and beta.</summary>
    private static string RenameLegacy(string key) =>
        key.EndsWith("LayerNorm.gamma", StringComparison.Ordinal) ? key[..^"gamma".Length] + "weight"
        : key.EndsWith("LayerNorm.beta", StringComparison.Ordinal) ? key[..^"beta".Length] + "bias"
        : key;

    /// <summary>
    /// Checkpoint keys HF also ignores when the model lacks them: the old persistent <c>position_ids</c> buffer,
    /// the pooler (e.g. bert-base-uncased into a masked LM) and the next-sentence head of pre-training checkpoints.
    /// </summary>
    private static bool IsIgnorable(string key) =>
        key.EndsWith("embeddings.position_ids", StringComparison.Ordinal)
        || key.StartsWith("pooler.", StringComparison.Ordinal)
        || key.StartsWith("bert.pooler.", StringComparison.Ordinal)
        || key.StartsWith("cls.seq_relationship.", StringComparison.Ordinal);
}
