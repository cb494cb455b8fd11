using BertFunctions.Modeling;
using static TorchSharp.torch;

namespace BertFunctions.Training.Modeling;

/// <summary>
/// Loads only the encoder (<c>embeddings.*</c>, <c>encoder.*</c>, <c>pooler.*</c>) of a checkpoint into a model's
/// <see cref="BertModel"/>, leaving the task head as initialised: what fine-tuning from an MLM checkpoint or from
/// MiniLM (which has no MLM head) needs. Strict about everything it does load.
/// </summary>
public static class EncoderWeights
{
    /// <summary>Copies the encoder of <paramref name="checkpoint"/> (with or without the <c>bert.</c> prefix) into <paramref name="encoder"/>.</summary>
    /// <returns>True when the encoder's pooler had to keep its fresh initialisation (the checkpoint had none).</returns>
    public static bool Load(BertModel encoder, IReadOnlyDictionary<string, Tensor> checkpoint, string source)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var prefixed = checkpoint.Keys.Any(k => k.StartsWith("bert.", StringComparison.Ordinal));
        var selected = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in checkpoint)
        {
            if (prefixed && !key.StartsWith("bert.", StringComparison.Ordinal))
            {
                continue; // a head (cls.*, classifier.*): not ours to load
            }

            var name = prefixed ? key["bert.".Length..] : key;
            if (name.StartsWith("pooler.", StringComparison.Ordinal) && !encoder.HasPooler)
            {
                continue;
            }

            selected[name] = value;
        }

        var poolerKept = false;
        if (encoder.HasPooler && !selected.Keys.Any(k => k.StartsWith("pooler.", StringComparison.Ordinal)))
        {
            // An MLM checkpoint has no pooler: keep the model's own (random) one so the strict load can check the rest.
            foreach (var (name, value) in encoder.state_dict().Where(kv => kv.Key.StartsWith("pooler.", StringComparison.Ordinal)))
            {
                selected[name] = value;
            }

            poolerKept = true;
        }

        StrictLoader.Load(encoder, selected, source);
        return poolerKept;
    }
}
