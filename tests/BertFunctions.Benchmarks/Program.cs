using System.Diagnostics;
using BenchmarkDotNet.Running;
using BertFunctions.Benchmarks;

if (args is ["--ingestion", ..])
{
    await BertFunctions.Benchmarks.Ingestion.IngestionBenchmark.RunAsync(args);
    return;
}

if (args is ["--int8", ..])
{
    await BertFunctions.Benchmarks.Quantization.Int8Benchmark.RunAsync(args);
    return;
}

if (args is ["--training", ..])
{
    BertFunctions.Benchmarks.Training.TrainingThroughput.Run(args);
    return;
}

if (args is ["--dropout", ..])
{
    BertFunctions.Benchmarks.Training.TrainingThroughput.RunDropout(args);
    return;
}

if (args is ["--evaluation", ..])
{
    BertFunctions.Benchmarks.Training.EvaluationBatchSize.Run(args);
    return;
}

if (args is ["--curves", ..])
{
    BertFunctions.Benchmarks.Training.PrecisionCurves.Run(args);
    return;
}

if (args is ["--serving", ..])
{
    Environment.ExitCode = await BertFunctions.Benchmarks.Serving.ServingBenchmark.RunAsync(args);
    return;
}

if (args is ["--interleaved", ..])
{
    // For a shared, loaded host where BenchmarkDotNet's per-benchmark processes see different
    // background load: every round times each tokenizer once, back to back in one process, and the
    // minimum over rounds is reported, so all four see the same conditions.
    var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20;
    var bench = new TokenizerThroughput();
    bench.Setup();
    Func<int>[] runs = [bench.Ours, bench.FastBertTokenizer, bench.MicrosoftMLTokenizers, bench.HfTokenizersDotNet];
    string[] names = ["Ours", "FastBertTokenizer", "MicrosoftMLTokenizers", "HfTokenizersDotNet"];
    var best = Enumerable.Repeat(double.MaxValue, runs.Length).ToArray();
    for (var round = -3; round < rounds; round++)
    {
        for (var k = 0; k < runs.Length; k++)
        {
            var watch = Stopwatch.StartNew();
            runs[k]();
            if (round >= 0)
            {
                best[k] = Math.Min(best[k], watch.Elapsed.TotalMilliseconds);
            }
        }
    }

    for (var k = 0; k < runs.Length; k++)
    {
        Console.WriteLine($"{names[k],-22} min {best[k],8:F2} ms  ours is {best[k] / best[0]:F2}x faster");
    }

    bench.Dispose();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(TokenizerThroughput).Assembly).Run(args);
