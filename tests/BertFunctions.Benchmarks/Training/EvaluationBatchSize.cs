using System.Diagnostics;
using System.Globalization;
using BertFunctions.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Benchmarks.Training;

/// <summary>
/// <c>--evaluation [rounds]</c>: the cost per sequence of a no-grad classification pass (what the trainer's final
/// evaluation does) at MiniLM shapes, sequence 128, in float32 and bf16, at evaluation batch sizes 16 to 128, with the
/// allocator tuned as the trainer tunes it. Every round times each size once, in turn, so all see the same load; the
/// best and the median round are reported. In this synthetic setting (random weights, one process doing nothing else)
/// the batch size hardly matters in bf16; in a real job it does (docs/benchmarks.md), so the trainer's default
/// evaluation batch is the training batch.
/// </summary>
public static class EvaluationBatchSize
{
    private const int Length = 128;
    private static readonly int[] Sizes = [16, 32, 64, 128];

    public static void Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        torch.set_num_threads(Environment.ProcessorCount);
        NativeAllocator.ConfigureForTraining(); // as the trainer does
        torch.manual_seed(1);
        var config = MiniLmPretrained.Config with { NumLabels = 2, ClassifierPooling = "mean" };
        Console.WriteLine($"threads {torch.get_num_threads()}, {Length} tokens per sequence, {rounds} rounds after one warm-up round");
        Console.WriteLine();
        Console.WriteLine("| precision | batch | ms per sequence (best) | ms per sequence (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            using var model = new BertForSequenceClassification(config);
            MixedPrecision.SetComputeDtype(model, dtype);
            model.eval();
            var times = Sizes.ToDictionary(s => s, _ => new List<double>());
            for (var round = -1; round < rounds; round++)
            {
                foreach (var size in Sizes)
                {
                    using var ids = torch.randint(1000, 29000, [size, Length], dtype: ScalarType.Int64);
                    using var mask = torch.ones([size, Length], dtype: ScalarType.Int64);
                    // Every other row ends in 5 padding positions, as real batches padded to their longest sequence do.
                    mask.index_put_(torch.zeros([1], ScalarType.Int64), TensorIndex.Slice(0, size, 2), TensorIndex.Slice(Length - 5, Length));

                    var clock = Stopwatch.StartNew();
                    using (torch.NewDisposeScope())
                    using (torch.no_grad())
                    {
                        _ = model.forward(ids, mask, null).Logits.sum().item<float>();
                    }

                    if (round >= 0)
                    {
                        times[size].Add(clock.Elapsed.TotalMilliseconds / size);
                    }
                }
            }

            foreach (var size in Sizes)
            {
                var sorted = times[size].Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(dtype == ScalarType.Float32 ? "fp32" : "bf16")} | {size} | {sorted[0]:F2} | {sorted[sorted.Length / 2]:F2} |"));
            }
        }
    }
}
