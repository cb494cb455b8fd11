using BertFunctions.Serving.Models;
using BertFunctions.Serving.Packages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving.Live;

/// <summary>Loads one version: the package (cached on disk), its training tokenization, the ONNX Runtime session, and a warm-up run.</summary>
public sealed partial class ModelLoader(ModelPackageCache packages, TokenizationSettingsReader settings, IOptions<ServingOptions> options, TimeProvider time, ILogger<ModelLoader> logger)
{
    internal async Task<LoadedModel> LoadAsync(string name, string version, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var package = await packages.GetAsync(name, version, cancellationToken).ConfigureAwait(false);
        var tokenization = await settings.ReadAsync(package, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var model = ClassificationModel.Load(package, tokenization, options.Value.IntraOpThreads, options.Value.Quantization);
        var loadTime = time.GetElapsedTime(started);
        try
        {
            // ONNX Runtime allocates and picks kernels on the first runs: pay for it here, at full length, rather than
            // on the first requests after a swap.
            var warmUp = time.GetTimestamp();
            model.Classify(["warm up", string.Join(' ', Enumerable.Repeat("warm up", tokenization.Classification.MaxSeqLen))]);
            var warmUpTime = time.GetElapsedTime(warmUp);
            var quantization = model.Quantization == ModelQuantization.DynamicInt8 && Int8Kernels.U8S8MayOverflow ? "int8, u8u8 kernels: no VNNI" : model.Quantization;
            LogLoaded(name, version, quantization, loadTime.TotalMilliseconds, warmUpTime.TotalMilliseconds, tokenization.Classification.MaxSeqLen, tokenization.Classification.Truncation, tokenization.LowerCase, tokenization.Source);
            return new LoadedModel(model, time.GetUtcNow(), loadTime, warmUpTime);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Name}/{Version} ({Quantization}) in {LoadMilliseconds:F0} ms, warm-up {WarmUpMilliseconds:F0} ms; max_seq_len {MaxSeqLen}, truncation {Truncation}, lower case {LowerCase} ({Source})")]
    private partial void LogLoaded(string name, string version, string quantization, double loadMilliseconds, double warmUpMilliseconds, int maxSeqLen, Datasets.TruncationPolicy truncation, bool lowerCase, string source);
}
