using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>Word + position + token type embeddings, then LayerNorm and dropout.</summary>
public sealed class BertEmbeddings : Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    /// <summary>Creates the embedding tables of <paramref name="config"/>.</summary>
    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        word_embeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        position_embeddings = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        // Field names are HF names; no position_ids buffer: positions are computed per call and never saved.
        RegisterComponents();
    }

    /// <summary>The word embedding table, shared with the MLM decoder.</summary>
    public Embedding WordEmbeddings => word_embeddings;

    /// <summary>Embeds token ids (B, T) with their segment ids (B, T) into (B, T, C).</summary>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        var positionIds = arange(inputIds.shape[1], dtype: ScalarType.Int64, device: inputIds.device); // (T)
        var x = word_embeddings.forward(inputIds)              // (B, T, C)
            + token_type_embeddings.forward(tokenTypeIds)       // (B, T, C)
            + position_embeddings.forward(positionIds);        // (T, C), broadcast over B
        return dropout.forward(LayerNorm.forward(x));         // (B, T, C)
    }
}
