using System.Diagnostics;
using System.Globalization;
using BertFunctions.Benchmarks.Ingestion;
using BertFunctions.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace BertFunctions.Benchmarks.Training;

/// <summary>
/// <c>--training [steps]</c>: training throughput at MiniLM shapes (6 layers, hidden 384, 12 heads, FFN 1536,
/// sequence 128, batch 32) on the CPU, for fine-tuning (BertForSequenceClassification) and MLM (BertForMaskedLM,
/// logits over the whole vocabulary as HF computes them), each a forward, backward and AdamW step; TorchSharp's own
/// nn.TransformerEncoderLayer stack at the same shapes as the peer; and the fp32 matmul rate measured in the same
/// process, against which model FLOPs utilisation (MFU) is quoted. FLOPs are counted as 3x the forward matmul
/// FLOPs (forward, and backward for inputs and weights), the usual convention.
/// </summary>
public static class TrainingThroughput
{
    private const int Batch = 32, Length = 128;

    public static void Run(string[] args)
    {
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(1);
        var config = MiniLmPretrained.Config;
        Console.WriteLine($"threads {torch.get_num_threads()}, batch {Batch} x {Length} tokens, {steps} measured steps after 2 warm-up steps");

        var matmul = MatmulRate();
        Console.WriteLine($"fp32 matmul: {matmul / 1e9:F1} GFLOP/s (best of the shapes below, same process)");

        var encoderFlops = EncoderForwardFlopsPerToken(config);
        var classify = Measure("fine-tune (BertForSequenceClassification)", steps, () => new BertForSequenceClassification(config with { NumLabels = 2 }),
            (m, ids, mask, labels) => ((BertForSequenceClassification)m).forward(ids, mask, null, labels.select(1, 0)).Loss!, 3 * encoderFlops, matmul);
        var mlmFlops = encoderFlops + (2.0 * config.HiddenSize * config.HiddenSize) + (2.0 * config.HiddenSize * config.VocabSize);
        var mlm = Measure("MLM (BertForMaskedLM)", steps, () => new BertForMaskedLM(config),
            (m, ids, mask, labels) => ((BertForMaskedLM)m).forward(ids, mask, null, labels).Loss!, 3 * mlmFlops, matmul);
        var peer = Measure("peer: TorchSharp nn.TransformerEncoderLayer x6", steps, () => new EncoderStack(config),
            (m, ids, mask, labels) => ((EncoderStack)m).forward(ids).pow(2).mean(), 3 * encoderFlops, matmul);

        Console.WriteLine();
        Console.WriteLine("| workload | tokens/s | model TFLOP/s | MFU vs matmul | step |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var r in new[] { classify, mlm, peer })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Name} | {r.TokensPerSecond:N0} | {r.FlopsPerSecond / 1e12:F3} | {r.Mfu:P1} | {r.StepSeconds * 1000:N0} ms |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak resident memory {ProcessMemory.LifetimePeak() / 1048576.0:N0} MiB"));
    }

    private sealed record Result(string Name, double TokensPerSecond, double FlopsPerSecond, double Mfu, double StepSeconds);

    private static Result Measure(string name, int steps, Func<nn.Module> create, Func<nn.Module, Tensor, Tensor, Tensor, Tensor> loss, double trainFlopsPerToken, double matmulRate)
    {
        using var model = create();
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.01);
        var ids = torch.randint(1000, 29000, [Batch, Length], dtype: ScalarType.Int64);
        var mask = torch.ones([Batch, Length], dtype: ScalarType.Int64);
        var labels = torch.full([Batch, Length], -100L, dtype: ScalarType.Int64);
        labels.index_put_(ids.index(TensorIndex.Colon, TensorIndex.Slice(0, 19)), TensorIndex.Colon, TensorIndex.Slice(0, 19));
        labels.index_put_(torch.randint(0, 2, [Batch], dtype: ScalarType.Int64), TensorIndex.Colon, 0);

        var best = double.MaxValue;
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
            }
        }

        // The best step: the host is shared, and the minimum is what the code can do.
        var tokensPerSecond = Batch * Length / best;
        var flops = tokensPerSecond * trainFlopsPerToken;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: best step {best * 1000:N0} ms, {tokensPerSecond:N0} tokens/s"));
        return new Result(name, tokensPerSecond, flops, flops / matmulRate, best);
    }

    /// <summary>Forward matmul FLOPs per token of the encoder: Q, K, V, output (4 C^2), FFN (2 C F), attention scores and values (2 T C).</summary>
    private static double EncoderForwardFlopsPerToken(BertConfig c) =>
        c.NumHiddenLayers * 2.0 * ((4.0 * c.HiddenSize * c.HiddenSize) + (2.0 * c.HiddenSize * c.IntermediateSize) + (2.0 * Length * c.HiddenSize));

    /// <summary>The best fp32 matmul rate over the shapes the encoder multiplies (and a square reference).</summary>
    private static double MatmulRate()
    {
        (int M, int K, int N)[] shapes = [(Batch * Length, 384, 1536), (Batch * Length, 1536, 384), (1024, 1024, 1024)];
        var best = 0.0;
        foreach (var (m, k, n) in shapes)
        {
            using var a = torch.randn(m, k);
            using var b = torch.randn(k, n);
            var fastest = double.MaxValue;
            for (var i = 0; i < 12; i++)
            {
                var clock = Stopwatch.StartNew();
                using var c = a.matmul(b);
                fastest = Math.Min(fastest, clock.Elapsed.TotalSeconds);
            }

            var rate = 2.0 * m * k * n / fastest;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  matmul {m}x{k}x{n}: {rate / 1e9:F1} GFLOP/s"));
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
