namespace BertFunctions.Serving;

/// <summary>Settings of the classification endpoint (configuration section <c>Serving</c>).</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section the hosts bind.</summary>
    public const string Section = "Serving";

    /// <summary>The model a request without <c>model</c> gets (its live version); null: requests must name one.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Where downloaded packages are kept, <c>{name}/{version}/</c>; a restart finds them there.</summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "bertfunctions-serving");

    /// <summary>How often, at most, <c>models/{name}/live.json</c> is read again (a conditional GET) to notice a promotion.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a version failed to load, how long before it is tried again (a package download is not free).</summary>
    public TimeSpan FailedLoadRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Retry-After of a 503 (no live model yet, or it is loading).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most texts in one request.</summary>
    public int MaxTexts { get; set; } = 64;

    /// <summary>Most characters (UTF-16 code units) in one text; longer is a 400, not a truncation.</summary>
    public int MaxTextChars { get; set; } = 20_000;

    /// <summary>Largest request body; larger is a 413.</summary>
    public int MaxRequestBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Texts per ONNX Runtime call; a request with more is run in several batches of similar lengths.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Models kept loaded at once (live names and pinned versions); the least recently used goes first.</summary>
    public int MaxLoadedModels { get; set; } = 8;

    /// <summary>ONNX Runtime's intra-op threads per session; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// <c>none</c> (the default): run the package's float32 model.onnx. <c>int8</c>: quantize its dense layers to int8 when
    /// loading it (<see cref="Models.Int8DynamicQuantizer"/>): 2.2x the throughput of float32 on a 2-core AVX-512 VNNI
    /// machine, for at most 0.17 points of test accuracy on the spam classifiers (docs/results.md); a choice, not a default.
    /// </summary>
    public string Quantization { get; set; } = Models.ModelQuantization.None;

    /// <summary>Load <see cref="DefaultModel"/> when the host starts, so the first request does not wait for it.</summary>
    public bool PreloadDefaultModel { get; set; } = true;

    /// <summary>The problems of these settings, empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        if (DefaultModel is not null)
        {
            try
            {
                Live.ModelReference.Parse(DefaultModel);
            }
            catch (ArgumentException e)
            {
                problems.Add($"Serving:DefaultModel: {e.Message}");
            }
        }

        Require(!string.IsNullOrWhiteSpace(CacheDirectory), "Serving:CacheDirectory is required");
        Require(RefreshInterval > TimeSpan.Zero, "Serving:RefreshInterval must be positive");
        Require(FailedLoadRetryInterval > TimeSpan.Zero, "Serving:FailedLoadRetryInterval must be positive");
        Require(RetryAfter >= TimeSpan.FromSeconds(1), "Serving:RetryAfter must be at least one second");
        Require(MaxTexts >= 1, "Serving:MaxTexts must be at least 1");
        Require(MaxTextChars >= 1, "Serving:MaxTextChars must be at least 1");
        Require(MaxRequestBytes >= 1024, "Serving:MaxRequestBytes must be at least 1024");
        Require(MaxBatchSize >= 1, "Serving:MaxBatchSize must be at least 1");
        Require(MaxLoadedModels >= 1, "Serving:MaxLoadedModels must be at least 1");
        Require(IntraOpThreads >= 0, "Serving:IntraOpThreads must not be negative");
        Require(Models.ModelQuantization.Normalize(Quantization) is not null, $"Serving:Quantization must be one of {string.Join(", ", Models.ModelQuantization.All)}, not '{Quantization}'");
        return problems;
    }
}
