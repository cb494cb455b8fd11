using System.Diagnostics;
using System.Globalization;
using BertFunctions.Benchmarks.Ingestion;
using BertFunctions.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Benchmarks.Training;

/// <summary>
/// <c>--training [steps]</c>: training throughput at MiniLM shapes (6 layers, hidden 384, 12 heads, FFN 1536, sequence
/// 128, batch 32, 19 of 128 positions masked as BERT masks 15 %) on the CPU, float32 and bf16 mixed precision side by
/// side in one process:
/// <list type="bullet">
/// <item>the matmul peaks of both dtypes at the shapes the model multiplies (MFU is quoted against the peak of the
/// dtype a workload uses);</item>
/// <item>fine-tuning (BertForSequenceClassification) and MLM (BertForMaskedLM) steps (forward, backward, AdamW) in both
/// precisions; MLM also as it was before the masked-only head (logits over the vocabulary at every position, as HF
/// computes them), the baseline the speed-up is measured against;</item>
/// <item>TorchSharp's own nn.TransformerEncoderLayer stack at the same shapes, float32, as the peer;</item>
/// <item>MLM evaluation per stored sequence, before (float32, batch 32, full-vocabulary logits, every one of the 5
/// static masking copies) and after (bf16, batch 128, masked positions only, the first copy).</item>
/// </list>
/// FLOPs are 3x the forward matmul FLOPs (forward, backward for inputs and for weights), the usual convention.
/// </summary>
public static class TrainingThroughput
{
    private const int Batch = 32, Length = 128, Masked = 19, Copies = 5;

    /// <summary><c>--dropout [steps]</c>: what dropout costs a bf16 fine-tuning step (hidden and attention-probability dropout on and off).</summary>
    public static void RunDropout(string[] args)
    {
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        torch.set_num_threads(Environment.ProcessorCount);
        NativeAllocator.ConfigureForTraining();
        torch.manual_seed(1);
        var baseConfig = MiniLmPretrained.Config with { NumLabels = 2 };
        foreach (var (hidden, attention) in new[] { (0.1, 0.1), (0.1, 0.0), (0.0, 0.0), (0.1, 0.1) })
        {
            var config = baseConfig with { HiddenDropoutProb = hidden, AttentionProbsDropoutProb = attention };
            Measure($"fine-tune bf16, hidden dropout {hidden}, attention dropout {attention}", steps, () => Mixed(new BertForSequenceClassification(config), ScalarType.BFloat16),
                (m, ids, mask, labels) => ((BertForSequenceClassification)m).forward(ids, mask, null, labels.select(1, 0).clamp_min(0).remainder(2)).Loss!, 1, 1);
        }
    }

    public static void Run(string[] args)
    {
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        torch.set_num_threads(Environment.ProcessorCount);
        NativeAllocator.ConfigureForTraining(); // as the trainer does
        torch.manual_seed(1);
        var config = MiniLmPretrained.Config;
        Console.WriteLine($"threads {torch.get_num_threads()}, batch {Batch} x {Length} tokens ({Masked} masked per row for MLM), best of {steps} steps after 2 warm-up steps");

        var fp32Peak = MatmulPeak(ScalarType.Float32, config);
        var bf16Peak = MatmulPeak(ScalarType.BFloat16, config);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"matmul peaks: fp32 {fp32Peak / 1e9:F1}, bf16 {bf16Peak / 1e9:F1} GFLOP/s ({bf16Peak / fp32Peak:F2}x)"));

        var encoder = EncoderForwardFlopsPerToken(config);
        var head = (2.0 * config.HiddenSize * config.HiddenSize) + (2.0 * config.HiddenSize * config.VocabSize);
        var maskedShare = (double)Masked / Length;
        var results = new List<Result>();
        foreach (var (dtype, peak) in new[] { (ScalarType.Float32, fp32Peak), (ScalarType.BFloat16, bf16Peak) })
        {
            var name = dtype == ScalarType.Float32 ? "fp32" : "bf16";
            results.Add(Measure($"fine-tune, {name}", steps, () => Mixed(new BertForSequenceClassification(config with { NumLabels = 2 }), dtype),
                (m, ids, mask, labels) => ((BertForSequenceClassification)m).forward(ids, mask, null, labels.select(1, 0).clamp_min(0).remainder(2)).Loss!, 3 * encoder, peak));
        }

        results.Add(Measure("MLM, fp32, full-vocabulary logits (before)", steps, () => new BertForMaskedLM(config),
            (m, ids, mask, labels) =>
            {
                var logits = ((BertForMaskedLM)m).forward(ids, mask, null).Logits; // (B, T, V), as HF computes them
                return nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), labels.view(-1), ignore_index: BertForMaskedLM.IgnoreIndex);
            }, 3 * (encoder + head), fp32Peak));
        foreach (var (dtype, peak) in new[] { (ScalarType.Float32, fp32Peak), (ScalarType.BFloat16, bf16Peak) })
        {
            var name = dtype == ScalarType.Float32 ? "fp32" : "bf16";
            results.Add(Measure($"MLM, {name}, masked-only head", steps, () => Mixed(new BertForMaskedLM(config), dtype),
                (m, ids, mask, labels) => ((BertForMaskedLM)m).forward(ids, mask, null, labels).Loss!, 3 * (encoder + (maskedShare * head)), peak));
        }

        results.Add(Measure("peer: TorchSharp nn.TransformerEncoderLayer x6, fp32", steps, () => new EncoderStack(config),
            (m, ids, mask, labels) => ((EncoderStack)m).forward(ids).pow(2).mean(), 3 * encoder, fp32Peak));

        Console.WriteLine();
        Console.WriteLine("| workload | tokens/s | model GFLOP/s | MFU vs peak of its dtype | step |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.TokensPerSecond:N0} | {r.FlopsPerSecond / 1e9:F0} | {r.Mfu:P1} | {r.StepSeconds * 1000:N0} ms |"));
        }

        var byName = results.ToDictionary(r => r.Name);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fine-tune bf16 / fp32: {byName["fine-tune, bf16"].TokensPerSecond / byName["fine-tune, fp32"].TokensPerSecond:F2}x; MLM bf16 masked-only / fp32 full-vocabulary: {byName["MLM, bf16, masked-only head"].TokensPerSecond / byName["MLM, fp32, full-vocabulary logits (before)"].TokensPerSecond:F2}x"));

        Console.WriteLine();
        var before = EvaluationSecondsPerSequence(config, ScalarType.Float32, 32, fullVocabulary: true);
        var after = EvaluationSecondsPerSequence(config, ScalarType.BFloat16, 128, fullVocabulary: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MLM evaluation per stored sequence: before {before * 1000:F1} ms x {Copies} copies, after {after * 1000:F1} ms x 1 copy: {before * Copies / after:F1}x less time for the same split"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak resident memory {ProcessMemory.LifetimePeak() / 1048576.0:N0} MiB"));
    }

    private sealed record Result(string Name, double TokensPerSecond, double FlopsPerSecond, double Mfu, double StepSeconds);

    private static nn.Module Mixed(nn.Module model, ScalarType dtype)
    {
        MixedPrecision.SetComputeDtype(model, dtype);
        return model;
    }

    private static (Tensor Ids, Tensor Mask, Tensor Labels) Inputs(int batch)
    {
        var ids = torch.randint(1000, 29000, [batch, Length], dtype: ScalarType.Int64);
        var mask = torch.ones([batch, Length], dtype: ScalarType.Int64);
        var labels = torch.full([batch, Length], BertForMaskedLM.IgnoreIndex, dtype: ScalarType.Int64);
        labels.index_put_(ids.index(TensorIndex.Colon, TensorIndex.Slice(1, 1 + Masked)), TensorIndex.Colon, TensorIndex.Slice(1, 1 + Masked));
        return (ids, mask, labels);
    }

    private static Result Measure(string name, int steps, Func<nn.Module> create, Func<nn.Module, Tensor, Tensor, Tensor, Tensor> loss, double trainFlopsPerToken, double peak)
    {
        using var model = create();
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01);
        var (ids, mask, labels) = Inputs(Batch);
        var best = double.MaxValue;
        var total = 0.0;
        for (var step = -2; step < steps; step++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var l = loss(model, ids, mask, labels);
                l.backward();
                optimizer.step();
                _ = l.item<float>();
            }

            if (step >= 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
                total += clock.Elapsed.TotalSeconds;
            }
        }

        NativeAllocator.Trim();
        // The best step: the host is shared, and the minimum is what the code can do.
        var tokensPerSecond = Batch * Length / best;
        var flops = tokensPerSecond * trainFlopsPerToken;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: best step {best * 1000:N0} ms (mean {total / steps * 1000:N0} ms), {tokensPerSecond:N0} tokens/s"));
        return new Result(name, tokensPerSecond, flops, flops / peak, best);
    }

    /// <summary>Seconds per sequence of a no-grad MLM evaluation pass, best of 3 batches.</summary>
    private static double EvaluationSecondsPerSequence(BertConfig config, ScalarType dtype, int batch, bool fullVocabulary)
    {
        using var model = Mixed(new BertForMaskedLM(config), dtype);
        model.eval();
        var (ids, mask, labels) = Inputs(batch);
        var best = double.MaxValue;
        for (var i = -1; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var mlm = (BertForMaskedLM)model;
                var loss = fullVocabulary
                    ? nn.functional.cross_entropy(mlm.forward(ids, mask, null).Logits.view(-1, config.VocabSize), labels.view(-1), ignore_index: BertForMaskedLM.IgnoreIndex)
                    : mlm.forward(ids, mask, null, labels).Loss!;
                _ = loss.item<float>();
            }

            if (i >= 0)
            {
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
        }

        return best / batch;
    }

    /// <summary>Forward matmul FLOPs per token of the encoder: Q, K, V, output (4 C^2), FFN (2 C F), attention scores and values (2 T C).</summary>
    private static double EncoderForwardFlopsPerToken(BertConfig c) =>
        c.NumHiddenLayers * 2.0 * ((4.0 * c.HiddenSize * c.HiddenSize) + (2.0 * c.HiddenSize * c.IntermediateSize) + (2.0 * Length * c.HiddenSize));

    /// <summary>The best matmul rate in <paramref name="dtype"/> over the shapes the model multiplies, and a square reference.</summary>
    private static double MatmulPeak(ScalarType dtype, BertConfig config)
    {
        (int M, int K, int N)[] shapes = [(Batch * Length, config.HiddenSize, config.IntermediateSize), (Batch * Length, config.IntermediateSize, config.HiddenSize),
            (1024, 1024, 1024), (Batch * Length, config.HiddenSize, config.VocabSize)];
        var best = 0.0;
        foreach (var (m, k, n) in shapes)
        {
            using var a = torch.randn(m, k).to(dtype);
            using var b = torch.randn(k, n).to(dtype);
            var fastest = double.MaxValue;
            for (var i = 0; i < 8; i++)
            {
                var clock = Stopwatch.StartNew();
                using var c = a.matmul(b);
                fastest = Math.Min(fastest, clock.Elapsed.TotalSeconds);
            }

            var rate = 2.0 * m * k * n / fastest;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {dtype} matmul {m}x{k}x{n}: {rate / 1e9:F1} GFLOP/s"));
            best = Math.Max(best, rate);
        }

        return best;
    }

    /// <summary>The peer: an embedding and six of TorchSharp's own encoder layers at MiniLM's shapes.</summary>
    private sealed class EncoderStack : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Embedding embedding;
        private readonly TorchSharp.Modules.TransformerEncoder encoder;

        public EncoderStack(BertConfig c) : base(nameof(EncoderStack))
        {
            embedding = nn.Embedding(c.VocabSize, c.HiddenSize);
            encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize, 0.1, nn.Activations.GELU), c.NumHiddenLayers);
            RegisterComponents();
        }

        public override Tensor forward(Tensor ids) => encoder.call(embedding.call(ids).transpose(0, 1)); // (T, B, C)
    }
}
