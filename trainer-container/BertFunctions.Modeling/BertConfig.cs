using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Modeling;

/// <summary>
/// The hyper-parameters of a BERT model, named exactly as in HF <c>config.json</c> so that a file written by
/// <c>transformers</c> reads here and a file written here reads in <c>transformers</c>.
/// Defaults are bert-base-uncased's.
/// </summary>
public sealed record BertConfig
{
    /// <summary>Activations this implementation computes, by their HF names.</summary>
    public static readonly IReadOnlyList<string> SupportedActivations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish", "tanh"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Number of WordPiece ids.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 30522;

    /// <summary>Width C of every token vector.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 768;

    /// <summary>Number of encoder layers.</summary>
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Attention heads per layer; must divide <see cref="HiddenSize"/>.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer.</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 3072;

    /// <summary>Feed-forward activation, one of <see cref="SupportedActivations"/>.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu";

    /// <summary>Dropout on embeddings and on every residual branch.</summary>
    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout on the attention probabilities.</summary>
    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>Longest sequence the position embeddings cover.</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of segment (token type) ids.</summary>
    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; init; } = 2;

    /// <summary>Standard deviation of the normal initialisation.</summary>
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    /// <summary>Epsilon of every LayerNorm.</summary>
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Id of <c>[PAD]</c>; its word embedding row starts at zero and gets no gradient.</summary>
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; }

    /// <summary>Only <c>absolute</c> is implemented.</summary>
    [JsonPropertyName("position_embedding_type")] public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary>
    /// How a sequence classifier pools the encoder's output: <c>cls</c> or absent (HF BERT's pooler: tanh(dense(hidden
    /// state of [CLS]))) or <c>mean</c> (the mean of the real tokens' hidden states, as sentence-transformers trained
    /// MiniLM; no pooler weights). Field name and values as ModernBERT's config; HF's <c>BertForSequenceClassification</c>
    /// knows only <c>cls</c>, so a mean-pooled package is served through its ONNX graph, which does the pooling.
    /// </summary>
    [JsonPropertyName("classifier_pooling")] public string? ClassifierPooling { get; init; }

    /// <summary>Whether a sequence classifier mean-pools (<see cref="ClassifierPooling"/> is <c>mean</c>).</summary>
    [JsonIgnore] public bool MeanPooling => ClassifierPooling == "mean";

    /// <summary>Dropout before the classifier; null means <see cref="HiddenDropoutProb"/> (as in HF).</summary>
    [JsonPropertyName("classifier_dropout")] public double? ClassifierDropout { get; init; }

    /// <summary>Number of classes of a sequence classifier (HF derives it from <see cref="Id2Label"/> when absent).</summary>
    [JsonPropertyName("num_labels")] public int? NumLabels { get; init; }

    /// <summary>Class names by id; keys are the ids as strings, as HF writes them.</summary>
    [JsonPropertyName("id2label")] public IReadOnlyDictionary<string, string>? Id2Label { get; init; }

    /// <summary>Class ids by name.</summary>
    [JsonPropertyName("label2id")] public IReadOnlyDictionary<string, int>? Label2Id { get; init; }

    /// <summary>Always <c>bert</c>.</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "bert";

    /// <summary>HF class names of the saved model, e.g. <c>BertForMaskedLM</c>.</summary>
    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }

    /// <summary>Fields this record does not model (e.g. <c>transformers_version</c>), kept so a load/save round trip loses nothing.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Number of classes: <see cref="NumLabels"/>, else the size of <see cref="Id2Label"/>, else 2 (HF's default).</summary>
    [JsonIgnore] public int LabelCount => NumLabels ?? Id2Label?.Count ?? 2;

    /// <summary>Parses and validates the text of a <c>config.json</c>.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    public static BertConfig FromJson(string json, string source = "config.json")
    {
        BertConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<BertConfig>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid BERT config.json: {e.Message}", e);
        }

        return (config ?? throw new InvalidDataException($"{source}: is 'null', expected a JSON object.")).Validate(source);
    }

    /// <summary>The <c>config.json</c> text, HF field names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first field whose value this implementation cannot run.</summary>
    /// <param name="source">Where the config came from, for error messages.</param>
    /// <returns>This config, for chaining.</returns>
    public BertConfig Validate(string source = "BertConfig")
    {
        void Fail(string field, object? value, string why) =>
            throw new InvalidDataException($"{source}: {field} = {Format(value)} is not supported: {why}.");

        if (ModelType != "bert")
        {
            Fail("model_type", ModelType, "expected \"bert\"");
        }

        if (!SupportedActivations.Contains(HiddenAct))
        {
            Fail("hidden_act", HiddenAct, "expected one of " + string.Join(", ", SupportedActivations));
        }

        if (PositionEmbeddingType != "absolute")
        {
            Fail("position_embedding_type", PositionEmbeddingType, "only \"absolute\" is implemented");
        }

        if (ClassifierPooling is not (null or "cls" or "mean"))
        {
            Fail("classifier_pooling", ClassifierPooling, "expected \"cls\" or \"mean\"");
        }

        foreach (var (field, value) in new[]
        {
            ("vocab_size", VocabSize), ("hidden_size", HiddenSize), ("num_hidden_layers", NumHiddenLayers),
            ("num_attention_heads", NumAttentionHeads), ("intermediate_size", IntermediateSize),
            ("max_position_embeddings", MaxPositionEmbeddings), ("type_vocab_size", TypeVocabSize),
        })
        {
            if (value <= 0)
            {
                Fail(field, value, "must be positive");
            }
        }

        if (HiddenSize % NumAttentionHeads != 0)
        {
            Fail("hidden_size", HiddenSize, $"must be divisible by num_attention_heads = {NumAttentionHeads}");
        }

        if (PadTokenId < 0 || PadTokenId >= VocabSize)
        {
            Fail("pad_token_id", PadTokenId, $"must be in [0, vocab_size = {VocabSize})");
        }

        if (LayerNormEps <= 0)
        {
            Fail("layer_norm_eps", LayerNormEps, "must be positive");
        }

        if (InitializerRange <= 0)
        {
            Fail("initializer_range", InitializerRange, "must be positive");
        }

        foreach (var (field, p) in new[] { ("hidden_dropout_prob", HiddenDropoutProb), ("attention_probs_dropout_prob", AttentionProbsDropoutProb), ("classifier_dropout", ClassifierDropout ?? 0) })
        {
            if (p is < 0 or >= 1)
            {
                Fail(field, p, "must be in [0, 1)");
            }
        }

        if (NumLabels is <= 0)
        {
            Fail("num_labels", NumLabels, "must be positive");
        }

        if (NumLabels is { } n && Id2Label is { } names && names.Count != n)
        {
            Fail("num_labels", n, $"id2label has {names.Count} entries");
        }

        return this;
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
