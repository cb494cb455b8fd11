using System.Runtime.InteropServices;
using BertFunctions.Contracts.Packages;
using BertFunctions.Datasets;
using BertFunctions.Serving.Packages;
using BertFunctions.Tokenization;
using Microsoft.ML.OnnxRuntime;

namespace BertFunctions.Serving.Models;

/// <summary>
/// One version of a classifier, ready to answer: the package's ONNX export in an ONNX Runtime session (every graph
/// optimisation on), and the tokenizer and example builder its training data was built with, so a text becomes
/// exactly the ids training saw ([CLS] pieces [SEP], head+tail truncation). Thread-safe; dispose it only when no
/// call is running (<see cref="Live.LiveModelCache"/> counts references for that).
/// </summary>
public sealed class ClassificationModel : IDisposable
{
    private const string InputIds = "input_ids", AttentionMask = "attention_mask", TokenTypeIds = "token_type_ids", Logits = "logits";

    private readonly SessionOptions sessionOptions;
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly TokenVocabulary vocabulary;
    private readonly ClassificationExampleBuilder builder;
    private readonly string[] inputNames;
    private readonly string[] outputNames = [Logits];

    private ClassificationModel(string name, string version, string quantization, IReadOnlyList<string> labels, TokenizationSettings tokenization, TokenVocabulary vocabulary, ClassificationExampleBuilder builder, SessionOptions sessionOptions, InferenceSession session)
    {
        Name = name;
        Version = version;
        Quantization = quantization;
        Labels = labels;
        Tokenization = tokenization;
        this.vocabulary = vocabulary;
        this.builder = builder;
        this.sessionOptions = sessionOptions;
        this.session = session;
        // Some exports take no token_type_ids; ours does. Feed what the graph asks for, of the three BERT inputs.
        inputNames = [.. new[] { InputIds, AttentionMask, TokenTypeIds }.Where(session.InputMetadata.ContainsKey)];
    }

    public string Name { get; }

    public string Version { get; }

    /// <summary><see cref="ModelQuantization.None"/>, or <see cref="ModelQuantization.DynamicInt8"/> when the session runs the int8 rewrite of model.onnx.</summary>
    public string Quantization { get; }

    /// <summary>Class names in label-id order.</summary>
    public IReadOnlyList<string> Labels { get; }

    public TokenizationSettings Tokenization { get; }

    /// <summary>Opens the package's model.onnx and vocabulary; <see cref="InvalidDataException"/> if they do not fit together.</summary>
    /// <param name="quantization">One of <see cref="ModelQuantization.All"/>: <c>int8</c> quantizes model.onnx in memory first.</param>
    public static ClassificationModel Load(LocalModelPackage package, TokenizationSettings tokenization, int intraOpThreads = 0, string quantization = ModelQuantization.None)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(tokenization);
        var mode = ModelQuantization.Normalize(quantization) ?? throw new ArgumentException($"quantization must be one of {string.Join(", ", ModelQuantization.All)}, not '{quantization}'", nameof(quantization));
        var configPath = package.PathOf(ModelPackageLayout.ConfigFile);
        var config = HfClassifierConfig.Read(configPath);
        var labels = config.Labels(configPath);
        if (!labels.SequenceEqual(package.Manifest.Labels, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"{configPath}: id2label ({string.Join(", ", labels)}) differs from the manifest's labels ({string.Join(", ", package.Manifest.Labels)})");
        }

        if (tokenization.Classification.MaxSeqLen > config.MaxPositionEmbeddings)
        {
            throw new InvalidDataException($"model {package.Name}/{package.Version} takes at most {config.MaxPositionEmbeddings} positions, but its training examples were {tokenization.Classification.MaxSeqLen} long");
        }

        TokenVocabulary vocabulary;
        try
        {
            vocabulary = TokenVocabulary.Load(File.ReadAllBytes(package.PathOf(ModelPackageLayout.VocabularyFile)), new BertTokenizerOptions { LowerCase = tokenization.LowerCase });
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{package.PathOf(ModelPackageLayout.VocabularyFile)}: not a BERT vocabulary: {e.Message}", e);
        }

        ClassificationExampleBuilder builder;
        try
        {
            builder = new ClassificationExampleBuilder(vocabulary, LabelSet.FromLabels(labels), tokenization.Classification);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"model {package.Name}/{package.Version}: the tokenization settings of its training data ({tokenization.Source}) are not usable: {e.Message}", e);
        }

        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        InferenceSession? session = null;
        var loaded = false;
        try
        {
            if (intraOpThreads > 0)
            {
                options.IntraOpNumThreads = intraOpThreads;
            }

            if (mode == ModelQuantization.DynamicInt8)
            {
                Int8Kernels.Configure(options);
                session = new InferenceSession(QuantizedOnnx(package.PathOf(ModelPackageLayout.OnnxFile)), options);
            }
            else
            {
                session = new InferenceSession(package.PathOf(ModelPackageLayout.OnnxFile), options);
            }

            CheckSignature(session, labels.Count, package);
            var model = new ClassificationModel(package.Name, package.Version, mode, labels, tokenization, vocabulary, builder, options, session);
            loaded = true;
            return model;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{package.PathOf(ModelPackageLayout.OnnxFile)}: ONNX Runtime cannot load it: {e.Message}", e);
        }
        finally
        {
            if (!loaded)
            {
                session?.Dispose();
                options.Dispose();
            }
        }
    }

    /// <summary>The ids training would have built from <paramref name="text"/>, and whether it was truncated.</summary>
    public EncodedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = new List<int>();
        vocabulary.Tokenizer.EncodeIdsInto(text, pieces);
        var example = builder.Build(CollectionsMarshal.AsSpan(pieces), TrainingExample.NoLabel);
        return new EncodedText(example.InputIds, pieces.Count > builder.Options.MaxSeqLen - 2, pieces.Count);
    }

    /// <summary>
    /// Classifies <paramref name="texts"/>, in order. Up to <paramref name="maxBatchSize"/> texts go into one ONNX
    /// Runtime call, padded to the longest of that call; more are sorted by length first so that calls pad little.
    /// </summary>
    public IReadOnlyList<TextClassification> Classify(IReadOnlyList<string> texts, int maxBatchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        var encoded = texts.Select(Encode).ToArray();
        var order = Enumerable.Range(0, encoded.Length).ToArray();
        if (encoded.Length > maxBatchSize)
        {
            order = [.. order.OrderBy(i => encoded[i].InputIds.Length)];
        }

        var results = new TextClassification[encoded.Length];
        for (var start = 0; start < order.Length; start += maxBatchSize)
        {
            Run(encoded, order.AsSpan(start, Math.Min(maxBatchSize, order.Length - start)), results);
        }

        return results;
    }

    private void Run(EncodedText[] encoded, ReadOnlySpan<int> rows, TextClassification[] results)
    {
        var length = 0;
        foreach (var row in rows)
        {
            length = Math.Max(length, encoded[row].InputIds.Length);
        }

        // (B, T) row-major; padding is [PAD] with mask 0, one segment (type 0), as the trainer's collator pads.
        var ids = new long[rows.Length * length];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        Array.Fill(ids, vocabulary.PadId);
        for (var b = 0; b < rows.Length; b++)
        {
            var input = encoded[rows[b]].InputIds;
            for (var t = 0; t < input.Length; t++)
            {
                ids[(b * length) + t] = input[t];
                mask[(b * length) + t] = 1;
            }
        }

        long[] shape = [rows.Length, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        var values = inputNames.Select(n => n switch { InputIds => idsValue, AttentionMask => maskValue, _ => typesValue }).ToArray();
        using var outputs = session.Run(runOptions, inputNames, values, outputNames);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var count = Labels.Count;
        if (logits.Length != rows.Length * count)
        {
            throw new InvalidOperationException($"model {Name}/{Version} returned {logits.Length} logits for {rows.Length} texts of {count} labels");
        }

        for (var b = 0; b < rows.Length; b++)
        {
            var row = logits.Slice(b * count, count).ToArray();
            results[rows[b]] = Result(row, encoded[rows[b]]);
        }
    }

    private TextClassification Result(float[] logits, EncodedText encoded)
    {
        // Softmax in double, shifted by the maximum so that no exp overflows.
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - (double)max)).ToArray();
        var sum = exp.Sum();
        var probabilities = new Dictionary<string, float>(Labels.Count, StringComparer.Ordinal);
        var best = 0;
        for (var i = 0; i < exp.Length; i++)
        {
            probabilities[Labels[i]] = (float)(exp[i] / sum);
            best = exp[i] > exp[best] ? i : best;
        }

        return new TextClassification(Labels[best], probabilities[Labels[best]], probabilities, logits, encoded.Truncated, encoded.Tokens);
    }

    // In memory only: the package on disk stays the float32 model its manifest hashes.
    private static byte[] QuantizedOnnx(string onnxPath)
    {
        try
        {
            return Int8DynamicQuantizer.Quantize(File.ReadAllBytes(onnxPath)).Onnx;
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"{onnxPath}: cannot be quantized to int8: {e.Message}", e);
        }
    }

    private static void CheckSignature(InferenceSession session, int labels, LocalModelPackage package)
    {
        var source = package.PathOf(ModelPackageLayout.OnnxFile);
        foreach (var required in (string[])[InputIds, AttentionMask])
        {
            if (!session.InputMetadata.ContainsKey(required))
            {
                throw new InvalidDataException($"{source}: has no input '{required}' (inputs: {string.Join(", ", session.InputMetadata.Keys)})");
            }
        }

        var unknown = session.InputMetadata.Keys.Except([InputIds, AttentionMask, TokenTypeIds]).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"{source}: takes inputs serving cannot feed: {string.Join(", ", unknown)}");
        }

        if (!session.OutputMetadata.TryGetValue(Logits, out var output))
        {
            throw new InvalidDataException($"{source}: has no output 'logits' (outputs: {string.Join(", ", session.OutputMetadata.Keys)})");
        }

        if (output.Dimensions is [_, var width] && width > 0 && width != labels)
        {
            throw new InvalidDataException($"{source}: gives {width} logits per text, but the package names {labels} labels");
        }
    }

    /// <summary>For tests of the reference counting: disposed only once no request holds it.</summary>
    internal bool Disposed { get; private set; }

    public void Dispose()
    {
        Disposed = true;
        session.Dispose();
        sessionOptions.Dispose();
        runOptions.Dispose();
    }
}
