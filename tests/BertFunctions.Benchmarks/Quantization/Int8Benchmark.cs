using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Packages;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Serving;
using BertFunctions.Serving.Models;
using BertFunctions.Serving.Packages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BertFunctions.Benchmarks.Quantization;

/// <summary>
/// <c>--int8 [VERSION ...] [--model NAME] [--location DIR] [--rounds N] [--calls N]</c>: float32 against int8 dynamic
/// quantization (<see cref="Int8DynamicQuantizer"/>) on real fine-tuned packages and the test split of the dataset
/// version each was trained on, read from the persistent local Azurite (default <c>.bertfn/azurite</c>; nothing else
/// may use that folder meanwhile). Per package: accuracy and macro-F1 of both on every test example, predictions that
/// differ, max |Δ probability|, model sizes, the ops ONNX Runtime runs after fusion; then throughput of both, batch 32
/// at sequence length 128, interleaved round by round in this one process so that both see the same load.
/// </summary>
internal static class Int8Benchmark
{
    private const int BatchSize = 32, SequenceLength = 128;

    public static async Task RunAsync(string[] args)
    {
        var options = Arguments.Parse(args);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"int8 dynamic quantization: {Environment.ProcessorCount} cores, ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}, Azurite data {options.Location}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        Console.WriteLine(Int8Kernels.U8S8MayOverflow
            ? "int8 kernels: u8u8 (this CPU has no VNNI: session.x64quantprecision is set, exact and slower)"
            : "int8 kernels: u8s8 (VNNI or 32-bit accumulation: exact)");
        await using var azurite = await AzuriteEmulator.StartAsync(options.Location).ConfigureAwait(false);
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var scratch = Directory.CreateTempSubdirectory("bertfn-int8-");
        try
        {
            var packages = new ModelPackageCache(blobs, Options.Create(new ServingOptions { CacheDirectory = scratch.FullName }), TimeProvider.System, NullLogger<ModelPackageCache>.Instance);
            var splits = new Dictionary<DatasetReference, TestSplit>();
            var rows = new List<string>();
            for (var i = 0; i < options.Versions.Count; i++)
            {
                var package = await packages.GetAsync(options.Model, options.Versions[i], CancellationToken.None).ConfigureAwait(false);
                var dataset = TrainingJobSpec.FromJson(await File.ReadAllTextAsync(package.PathOf(ModelPackageLayout.JobFile)).ConfigureAwait(false)).Dataset;
                if (!splits.TryGetValue(dataset, out var test))
                {
                    splits[dataset] = test = await TestSplit.ReadAsync(blobs, dataset).ConfigureAwait(false);
                }

                rows.Add(Compare(package, test, scratch.FullName, throughput: i == 0 || options.ThroughputForAll, options));
            }

            Console.WriteLine();
            Console.WriteLine("| package | fp32 accuracy | int8 accuracy | fp32 macro-F1 | int8 macro-F1 | Δ accuracy (points) | predictions that differ | max abs Δ probability |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            rows.ForEach(Console.WriteLine);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static string Compare(LocalModelPackage package, TestSplit test, string scratch, bool throughput, Arguments options)
    {
        var name = $"{package.Name}/{package.Version}";
        if (!test.Labels.Labels.SequenceEqual(package.Manifest.Labels, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"{name}: labels {string.Join(",", package.Manifest.Labels)} differ from its dataset's {string.Join(",", test.Labels.Labels)}");
        }

        var padId = File.ReadLines(package.PathOf(ModelPackageLayout.VocabularyFile)).TakeWhile(l => l != "[PAD]").Count();
        var fp32Onnx = File.ReadAllBytes(package.PathOf(ModelPackageLayout.OnnxFile));
        var watch = Stopwatch.StartNew();
        var (int8Onnx, quantized) = Int8DynamicQuantizer.Quantize(fp32Onnx);
        var quantizeSeconds = watch.Elapsed.TotalSeconds;
        var fp32Graph = Path.Combine(scratch, $"{package.Version}.fp32.optimized.onnx");
        var int8Graph = Path.Combine(scratch, $"{package.Version}.int8.optimized.onnx");
        watch.Restart();
        using var fp32 = new ClassifierSession(fp32Onnx, padId, fp32Graph);
        var fp32LoadSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        using var int8 = new ClassifierSession(int8Onnx, padId, int8Graph, int8: true);
        var int8LoadSeconds = watch.Elapsed.TotalSeconds;

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} (dataset {test.Dataset.Name}/{test.Dataset.Version}, test split {test.Rows.Count} examples)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  model.onnx {fp32Onnx.Length / 1e6:F1} MB; int8 {int8Onnx.Length / 1e6:F1} MB ({quantized.Count} MatMuls quantized in {quantizeSeconds:F2} s); session load fp32 {fp32LoadSeconds:F2} s, int8 {int8LoadSeconds:F2} s"));
        Console.WriteLine($"  ONNX Runtime runs, fp32: {OptimizedGraph.Describe(OptimizedGraph.OpCounts(fp32Graph))}");
        Console.WriteLine($"  ONNX Runtime runs, int8: {OptimizedGraph.Describe(OptimizedGraph.OpCounts(int8Graph))}");

        // Batches of 32 in shard order, each padded to its longest, as the trainer evaluates; int8 also one by one, since
        // its activation ranges are per tensor, i.e. per batch (padding and neighbours included).
        var fp32Logits = fp32.LogitsInBatches(test.Rows, BatchSize);
        var int8Logits = int8.LogitsInBatches(test.Rows, BatchSize);
        var int8Single = int8.LogitsInBatches(test.Rows, 1);
        var fp32Scores = Score(fp32Logits, test);
        var int8Scores = Score(int8Logits, test);
        var int8SingleScores = Score(int8Single, test);
        var differ = Predictions(fp32Logits).Zip(Predictions(int8Logits)).Count(p => p.First != p.Second);
        var differSingle = Predictions(fp32Logits).Zip(Predictions(int8Single)).Count(p => p.First != p.Second);
        var probability = Differences(fp32Logits.Select(Softmax), int8Logits.Select(Softmax));
        var logit = Differences(fp32Logits.Select(Doubles), int8Logits.Select(Doubles));
        var maxProbability = probability.Max();
        var logitScale = fp32Logits.SelectMany(l => l).Max(v => Math.Abs(v));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  fp32: accuracy {fp32Scores.Accuracy:P2}, macro-F1 {fp32Scores.MacroF1:F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  int8: accuracy {int8Scores.Accuracy:P2}, macro-F1 {int8Scores.MacroF1:F4}; {differ} predictions differ from fp32; |Δ probability| max {maxProbability:F4}, mean {probability.Average():F5}, over 0.05 for {probability.Count(d => d > 0.05)}; |Δ logit| max {logit.Max():F3}, mean {logit.Average():F4} (fp32 |logits| up to {logitScale:F2})"));
        if (test.Labels.Count == 2)
        {
            // The margin (logit 1 - logit 0) decides; its change against its spread is what the serving tests bound.
            var margins = fp32Logits.Select(l => (double)l[1] - l[0]).ToArray();
            var changes = margins.Zip(int8Logits, (m, l) => Math.Abs(m - ((double)l[1] - l[0]))).ToArray();
            var spread = margins.Max() - margins.Min();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  margin (logit 1 - logit 0): {margins.Min():F2} .. {margins.Max():F2}; |Δ margin| max {changes.Max():F3} ({changes.Max() / spread:P1} of the spread), mean {changes.Average():F4} ({changes.Average() / spread:P2})"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  int8, one text per call: accuracy {int8SingleScores.Accuracy:P2}, macro-F1 {int8SingleScores.MacroF1:F4}; {differSingle} predictions differ from fp32"));
        if (throughput)
        {
            Throughput(fp32, int8, test, options);
        }

        return string.Create(CultureInfo.InvariantCulture, $"| {package.Version} | {fp32Scores.Accuracy:P2} | {int8Scores.Accuracy:P2} | {fp32Scores.MacroF1:F4} | {int8Scores.MacroF1:F4} | {(int8Scores.Accuracy - fp32Scores.Accuracy) * 100:+0.00;-0.00;0.00} | {differ} of {test.Rows.Count} | {maxProbability:F4} |");
    }

    /// <summary>
    /// Texts per second at batch 32 × 128 tokens (the first 32 test examples, padded to 128: every call costs the same).
    /// Each round times fp32 and int8 back to back, alternating which goes first; the median of the rounds is reported.
    /// </summary>
    private static void Throughput(ClassifierSession fp32, ClassifierSession int8, TestSplit test, Arguments options)
    {
        var batch = test.Rows.Take(BatchSize).ToArray();
        for (var i = 0; i < 2; i++)
        {
            fp32.Logits(batch, SequenceLength);
            int8.Logits(batch, SequenceLength);
        }

        var rates = new[] { new List<double>(), new List<double>() };
        ClassifierSession[] sessions = [fp32, int8];
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var k in round % 2 == 0 ? [0, 1] : new[] { 1, 0 })
            {
                var watch = Stopwatch.StartNew();
                for (var call = 0; call < options.Calls; call++)
                {
                    sessions[k].Logits(batch, SequenceLength);
                }

                rates[k].Add(BatchSize * options.Calls / watch.Elapsed.TotalSeconds);
            }
        }

        var (fp32Median, int8Median) = (Median(rates[0]), Median(rates[1]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  throughput, batch {BatchSize} × {SequenceLength} tokens, {options.Rounds} rounds of {options.Calls} calls: fp32 {fp32Median:F1} texts/s (best {rates[0].Max():F1}), int8 {int8Median:F1} texts/s (best {rates[1].Max():F1}); int8/fp32 {int8Median / fp32Median:F2}x; load average {File.ReadAllText("/proc/loadavg")[..14]}"));
    }

    private static ClassificationScores Score(float[][] logits, TestSplit test) => ClassificationScores.Of(Predictions(logits), test.LabelIds, test.Labels.Count);

    private static int[] Predictions(float[][] logits) => [.. logits.Select(l => Array.IndexOf(l, l.Max()))];

    private static double[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - (double)max)).ToArray();
        var sum = exp.Sum();
        return [.. exp.Select(e => e / sum)];
    }

    // Per example: the largest difference over its classes.
    private static double[] Differences(IEnumerable<double[]> a, IEnumerable<double[]> b) => [.. a.Zip(b, (x, y) => x.Zip(y, (u, v) => Math.Abs(u - v)).Max())];

    private static double[] Doubles(float[] values) => [.. values.Select(v => (double)v)];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The test split of one dataset version: token ids as stored ([CLS] ... [SEP], no padding) and label ids.</summary>
    private sealed record TestSplit(DatasetReference Dataset, LabelSet Labels, IReadOnlyList<int[]> Rows, IReadOnlyList<int> LabelIds)
    {
        public static async Task<TestSplit> ReadAsync(BlobServiceClient blobs, DatasetReference dataset)
        {
            var manifest = await new IngestionSteps(blobs, NullLogger<IngestionSteps>.Instance).ReadManifestAsync(dataset.Name, dataset.Version, CancellationToken.None).ConfigureAwait(false);
            var reader = new DatasetVersionReader(blobs, manifest);
            var examples = new List<TrainingExample>();
            await foreach (var example in reader.ReadAsync(Splits.Test, CancellationToken.None).ConfigureAwait(false))
            {
                examples.Add(example);
            }

            return new TestSplit(dataset, await reader.ReadLabelsAsync(CancellationToken.None).ConfigureAwait(false), [.. examples.Select(e => e.InputIds)], [.. examples.Select(e => e.Label)]);
        }
    }

    private sealed record Arguments(string Model, IReadOnlyList<string> Versions, string Location, int Rounds, int Calls, bool ThroughputForAll)
    {
        public static Arguments Parse(string[] args)
        {
            string Option(string name, string fallback) => Array.IndexOf(args, name) is var at and > 0 && at + 1 < args.Length ? args[at + 1] : fallback;
            var valued = new[] { "--model", "--location", "--rounds", "--calls" };
            var versions = args.Skip(1).Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && !valued.Contains(args[i])).ToList();
            return new Arguments(
                Option("--model", "spam"),
                versions.Count > 0 ? versions : ["minilm-ft-s42", "minilm-ft-s7", "dapt-ft-s42"],
                Path.GetFullPath(args.Contains("--location") ? Option("--location", "") : Path.Combine(RepositoryRoot(), ".bertfn", "azurite")),
                int.Parse(Option("--rounds", "8"), CultureInfo.InvariantCulture),
                int.Parse(Option("--calls", "3"), CultureInfo.InvariantCulture),
                args.Contains("--throughput-all"));
        }

        // The folder with BertFunctions.sln above the benchmark's binaries (bin/Release/net10.0 of the project).
        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BertFunctions.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("BertFunctions.sln not found above the benchmark: pass --location");
        }
    }
}
