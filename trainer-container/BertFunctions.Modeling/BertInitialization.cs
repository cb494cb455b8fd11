using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>HF's <c>BertPreTrainedModel._init_weights</c>, for models trained from scratch.</summary>
public static class BertInitialization
{
    /// <summary>
    /// Linear and Embedding weights ~ N(0, initializer_range), biases 0, the padding row of embeddings 0,
    /// LayerNorm weight 1 and bias 0.
    /// </summary>
    public static void Apply(nn.Module module, BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(config);
        using var noGrad = no_grad();
        foreach (var m in module.modules().Prepend(module))
        {
            switch (m)
            {
                case Linear linear:
                    nn.init.normal_(linear.weight, 0, config.InitializerRange);
                    linear.bias?.zero_();
                    break;
                case Embedding embedding:
                    nn.init.normal_(embedding.weight, 0, config.InitializerRange);
                    break;
                case LayerNorm norm:
                    norm.weight?.fill_(1);
                    norm.bias?.zero_();
                    break;
            }
        }

        // Only the word table has padding_idx; zeroing its pad row matches HF and keeps [PAD] neutral.
        foreach (var m in module.modules().Prepend(module).OfType<BertEmbeddings>())
        {
            m.WordEmbeddings.weight![config.PadTokenId].zero_();
        }
    }
}
