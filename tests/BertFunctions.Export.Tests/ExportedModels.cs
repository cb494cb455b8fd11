using BertFunctions.Modeling;

namespace BertFunctions.Export.Tests;

/// <summary>Shared by the parity tests: the two classifiers, their ONNX exports in ONNX Runtime, and the Brown inputs.</summary>
public sealed class ExportedModels : IDisposable
{
    public ExportedModels()
    {
        Inputs = new BrownInputs();
        MiniLm = new ExportedModel("MiniLM (erf gelu, 2 labels)", Classifiers.MiniLm(seed: 1), Classifiers.MiniLmConfig);
        Tiny = new ExportedModel("tiny (gelu_new, 3 labels)", Classifiers.Tiny(seed: 2), Classifiers.TinyConfig);
        MiniLmPooled = new ExportedModel("MiniLM pooler output (identity head, 384 'labels')", Classifiers.MiniLmPooledProbe(out var pooledConfig), pooledConfig);
        MiniLmMean = new ExportedModel("MiniLM mean pooling (identity head, 384 'labels')", Classifiers.MiniLmMeanProbe(out var meanConfig), meanConfig);
    }

    public BrownInputs Inputs { get; }

    public ExportedModel MiniLm { get; }

    public ExportedModel Tiny { get; }

    public ExportedModel MiniLmPooled { get; }

    public ExportedModel MiniLmMean { get; }

    public ExportedModel this[string name] => name switch
    {
        "minilm" => MiniLm,
        "tiny" => Tiny,
        "minilm-pooled" => MiniLmPooled,
        "minilm-mean" => MiniLmMean,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public void Dispose()
    {
        MiniLm.Dispose();
        Tiny.Dispose();
        MiniLmPooled.Dispose();
        MiniLmMean.Dispose();
    }
}

/// <summary>A TorchSharp classifier and its export running in ONNX Runtime.</summary>
public sealed class ExportedModel : IDisposable
{
    public ExportedModel(string name, BertForSequenceClassification model, BertConfig config)
    {
        Name = name;
        Model = model;
        Config = config;
        using var onnx = new MemoryStream();
        OnnxClassifierExport.Export(model, config, onnx);
        OnnxBytes = onnx.ToArray();
        Onnx = new OnnxRunner(OnnxBytes);
    }

    public string Name { get; }

    public BertForSequenceClassification Model { get; }

    public BertConfig Config { get; }

    public byte[] OnnxBytes { get; }

    public OnnxRunner Onnx { get; }

    /// <summary>max |ORT - TorchSharp| over the batch's logits; also checks the shapes agree.</summary>
    public double MaxDifference(Batch batch)
    {
        var expected = batch.TorchLogits(Model);
        var actual = Onnx.Logits(batch);
        Assert.Equal(batch.Size * Config.LabelCount, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        return expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
    }

    public void Dispose()
    {
        Onnx.Dispose();
        Model.Dispose();
    }
}
