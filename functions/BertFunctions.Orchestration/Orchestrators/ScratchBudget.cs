using System.Globalization;
using System.Text.Json;
using BertFunctions.Contracts.Training;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// What pretraining from scratch gets before any compute is spent: the model's parameters, the tokens its MLM steps
/// see and the training FLOPs (6 × parameters × tokens, Kaplan et al. 2020), against a floor of
/// <see cref="TokensPerParameter"/> tokens per parameter: Hoffmann et al. 2022 ("Chinchilla") found about 20 the
/// compute-optimal ratio, and a model trained on a small fraction of it has barely learned the language. Our own
/// comparison at 0.05 tokens per parameter (docs/results.md, 150 MLM steps) left every scratch arm at the majority
/// class. Parameters are counted without the embeddings (as in both papers): the vocabulary does not buy capacity.
/// </summary>
/// <param name="Parameters">Non-embedding parameters of the MLM model (encoder layers and the MLM head's transform).</param>
/// <param name="Tokens">Token positions the MLM steps process: steps × batch × accumulation × sequence length.</param>
/// <param name="Flops">6 × <paramref name="Parameters"/> × <paramref name="Tokens"/>.</param>
public sealed record ScratchBudget(long Parameters, long Tokens, double Flops)
{
    /// <summary>Tokens per parameter below which a scratch model is warned about.</summary>
    public const double TokensPerParameter = 20;

    public double TokensPerParameterGot => Parameters == 0 ? 0 : (double)Tokens / Parameters;

    public bool TooSmall => Tokens < TokensPerParameter * Parameters;

    /// <summary>The warning for users, or null when the budget is at least the floor.</summary>
    public string? Warning => !TooSmall ? null : string.Create(CultureInfo.InvariantCulture,
        $"pretraining from scratch gets {Tokens:N0} tokens for a model of {Parameters:N0} non-embedding parameters ({TokensPerParameterGot:G2} tokens per parameter, {Flops:G3} FLOPs); below about {TokensPerParameter:G2} tokens per parameter (Chinchilla) a model from scratch has barely learned the language and is likely to stay near the majority class: give it more pretraining steps or a smaller scratch_config");

    /// <summary>The estimate for an MLM job of <paramref name="pretraining"/> on a model of <paramref name="config"/> (HF config.json fields; BERT-base defaults for absent ones); null when the steps depend on the corpus (no max_steps).</summary>
    public static ScratchBudget? Estimate(JsonElement config, Hyperparameters pretraining, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(pretraining);
        if (pretraining.MaxSteps is not { } steps)
        {
            return null;
        }

        var parameters = NonEmbeddingParameters(config);
        var tokens = steps * pretraining.BatchSize * pretraining.GradientAccumulationSteps * (long)sequenceLength;
        return new ScratchBudget(parameters, tokens, 6.0 * parameters * tokens);
    }

    /// <summary>Parameters of a BERT MLM model of <paramref name="config"/> (HF config.json fields; BERT-base defaults for absent ones) without the embeddings.</summary>
    public static long NonEmbeddingParameters(JsonElement config)
    {
        var (h, layers, intermediate) = Shape(config);
        // One layer: Q, K, V and the attention output (4 H² + 4 H), two LayerNorms (4 H), the feed-forward (2 H I + I + H).
        var perLayer = (4 * h * h) + (4 * h) + (4 * h) + (2 * h * intermediate) + intermediate + h;
        // The MLM head's transform: dense (H² + H) and LayerNorm (2 H); its decoder is the tied word embedding.
        var head = (h * h) + h + (2 * h);
        return (layers * perLayer) + head;
    }

    /// <summary>hidden_size, num_hidden_layers and intermediate_size of <paramref name="config"/>, BERT-base's where absent.</summary>
    public static (long Hidden, long Layers, long Intermediate) Shape(JsonElement config)
    {
        long Field(string name, long fallback) => config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : fallback;
        return (Field("hidden_size", 768), Field("num_hidden_layers", 12), Field("intermediate_size", 3072));
    }
}
