using BertFunctions.Contracts.Training;
using BertFunctions.Datasets;
using BertFunctions.Training.Data;
using BertFunctions.Training.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BertFunctions.Training.Tests;

/// <summary>
/// What makes training cheaper without changing what it computes: the precision choice, length-grouped batches that
/// resume exactly, MLM evaluation on the first masking copy, the optimizer's settings, and bf16 jobs end to end.
/// </summary>
public sealed class SpeedTests(TrainingFixture fixture)
{
    private static Hyperparameters Fast(long steps, string precision) => new()
    {
        LearningRate = 2e-3,
        BatchSize = 16,
        MaxSteps = steps,
        EvalEverySteps = 1000,
        CheckpointEverySteps = 1000,
        Threads = 2,
        Device = "cpu",
        Precision = precision,
    };

    [Fact]
    public void Auto_precision_is_bf16_exactly_where_the_cpu_reports_bf16_instructions()
    {
        var flags = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)) : "";
        var native = flags.Contains(" avx512_bf16", StringComparison.Ordinal) || flags.Contains(" amx_bf16", StringComparison.Ordinal);
        Assert.Equal(native ? ScalarType.BFloat16 : ScalarType.Float32, PrecisionSelector.Select("auto", CPU, NullLogger.Instance));
        Assert.Equal(ScalarType.Float32, PrecisionSelector.Select("fp32", CPU, NullLogger.Instance));
        Assert.Equal(ScalarType.BFloat16, PrecisionSelector.Select("bf16", CPU, NullLogger.Instance));

        var cpuinfo = Path.GetTempFileName();
        try
        {
            File.WriteAllText(cpuinfo, "processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_vnni avx512_bf16 amx_tile\n");
            Assert.Equal(["avx512_bf16"], CpuFeatures.Bf16Flags(cpuinfo));
            File.WriteAllText(cpuinfo, "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n");
            Assert.Empty(CpuFeatures.Bf16Flags(cpuinfo));
        }
        finally
        {
            File.Delete(cpuinfo);
        }

        var spec = fixture.MlmSpec("bad-precision", Fast(1, "fp16"));
        Assert.Contains("precision", Assert.Throws<JobSpecException>(() => spec.Validate()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public async Task Mlm_and_classification_jobs_train_in_either_precision_and_record_it(string precision)
    {
        var ct = TestContext.Current.CancellationToken;
        var mlm = new EventRecorder();
        using var mlmResult = await fixture.Runner().RunAsync(fixture.MlmSpec($"speed-mlm-{precision}", Fast(60, precision) with { LearningRate = 5e-3 }), mlm, ct);
        Assert.True(mlmResult.Succeeded, mlmResult.Error);
        var (first, last) = (mlmResult.LossCurve.Take(5).Average(p => p.Loss), mlmResult.LossCurve.TakeLast(5).Average(p => p.Loss));
        Assert.True(last < first - 0.5, $"{precision} MLM loss went from {first} to {last}");
        Assert.Equal(precision, Assert.Single(mlm.Events, e => e.Kind == TrainingEventKind.Completed).Cost!.Precision);
        Assert.Contains($"\"precision\": \"{precision}\"", await File.ReadAllTextAsync(mlmResult.MetricsFile!, ct), StringComparison.Ordinal);

        var classify = new EventRecorder();
        using var classifyResult = await fixture.Runner().RunAsync(new TrainingJobSpec
        {
            JobId = $"speed-classify-{precision}",
            Mode = JobMode.Classify,
            Base = ModelBase.None,
            Config = TrainingFixture.TinyConfig,
            Dataset = new DatasetReference("reviews", fixture.ReviewsVersion),
            Hyperparameters = Fast(60, precision) with { LearningRate = 3e-3 },
        }, classify, ct);
        Assert.True(classifyResult.Succeeded, classifyResult.Error);
        Figures.Report($"{precision}: MLM loss {first:F3} -> {last:F3}, validation perplexity {mlmResult.Metrics["validation.perplexity"]:F1}; classifier test accuracy {classifyResult.Metrics["test.accuracy"]:F3}");
        Assert.True(classifyResult.Metrics["test.accuracy"] >= 0.85, $"{precision} classifier test accuracy {classifyResult.Metrics["test.accuracy"]}");
        Assert.Equal(precision, Assert.Single(classify.Events, e => e.Kind == TrainingEventKind.Completed).Cost!.Precision);
        // The model handed to export and packaging computes in float32 again.
        Assert.Equal(ScalarType.Float32, BertFunctions.Modeling.MixedPrecision.ComputeDtype(classifyResult.Model!));
    }

    [Fact]
    public async Task Mlm_evaluation_reads_the_first_of_the_stored_masking_copies_and_every_sequence_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await new BlobExampleSourceFactory(fixture.Blobs).OpenAsync(new DatasetReference("brown", fixture.BrownCopiesVersion), ct);
        Assert.Equal(3, source.Info.MaskingCopies);
        var all = await source.ReadAsync(DatasetInfo.Validation, ct).ToListAsync(ct);
        var first = await source.ReadFirstCopyAsync(DatasetInfo.Validation, ct).ToListAsync(ct);
        Assert.NotEmpty(first);
        Assert.Equal(all.Count / 3, first.Count);
        Assert.Equal(source.Info.ExamplesIn(DatasetInfo.Validation), all.Count);

        // Every sequence of the split, unmasked, is in the first copy once; the other copies repeat them.
        static string Key(TrainingExample e) => string.Join(' ', e.UnmaskedIds());
        var firstKeys = first.Select(Key).Order(StringComparer.Ordinal).ToList();
        var allKeys = all.Select(Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(allKeys, firstKeys.SelectMany(k => Enumerable.Repeat(k, 3)).Order(StringComparer.Ordinal));
        // And it is copy 0, stored first: the split starts with it, masks included.
        Assert.True(first[0].ContentEquals(all[0]));

        var single = await new BlobExampleSourceFactory(fixture.Blobs).OpenAsync(new DatasetReference("brown", fixture.BrownVersion), ct);
        Assert.Equal(1, single.Info.MaskingCopies);
        Assert.Equal(single.Info.ExamplesIn(DatasetInfo.Validation), await single.ReadFirstCopyAsync(DatasetInfo.Validation, ct).CountAsync(ct));
    }

    [Fact]
    public void The_trainer_uses_AdamW_with_betas_0_9_and_0_999_and_epsilon_1e_8()
    {
        var config = new BertFunctions.Modeling.BertConfig { VocabSize = 50, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 32, NumLabels = 2 };
        using var model = new BertFunctions.Training.Modeling.TrainableModel(new BertFunctions.Modeling.BertForSequenceClassification(config), config, JobMode.Classify, "", ["a", "b"]);
        var spec = new TrainingJobSpec { JobId = "adamw", Mode = JobMode.Classify, Base = ModelBase.None, Dataset = new DatasetReference("toy", "v1") };
        var session = new TrainingSession(spec, model, CPU, ScalarType.Float32, new MemoryExampleSource([]), 10, null!, new EventRecorder(), new TrainingRunnerOptions(), TimeProvider.System, NullLogger.Instance, Path.GetTempPath());
        Assert.Equal(2, session.Optimizer.ParamGroups.Count());
        foreach (var group in session.Optimizer.ParamGroups.Cast<AdamW.ParamGroup>())
        {
            Assert.Equal((0.9, 0.999, 1e-8), (group.Options.beta1!.Value, group.Options.beta2!.Value, group.Options.eps!.Value));
        }
    }

    [Fact]
    public async Task Length_grouped_batches_pad_less_are_deterministic_per_seed_and_resume_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        // 1,000 sequences of lengths 3..130 in a skewed mix, as real texts are (many short, a long tail truncated at the maximum).
        var random = new Random(5);
        var examples = Enumerable.Range(0, 1000).Select(i => new TrainingExample([.. Enumerable.Range(0, Math.Min(130, 3 + (int)(random.NextDouble() * random.NextDouble() * 200))).Select(_ => 7)], [], [], i % 2)).ToList();
        var source = new MemoryExampleSource(examples);
        var collator = new BatchCollator(0, classification: true);
        async Task<List<Batch>> EpochAsync(bool grouped, int seed, DataPosition start) =>
            await new TrainingBatches(source, collator, 16, seed, null, groupByLength: grouped).ReadAsync(start, ct)
                .TakeWhile(b => b.Position.Epoch == start.Epoch).ToListAsync(ct);
        static double Padding(IEnumerable<Batch> batches) => 1 - ((double)batches.Sum(b => b.Tokens) / batches.Sum(b => (long)b.Size * b.Length));

        var plain = await EpochAsync(false, 1, DataPosition.Start);
        var grouped = await EpochAsync(true, 1, DataPosition.Start);
        Figures.Report($"padding share: {Padding(plain):P1} shuffled, {Padding(grouped):P1} length-grouped");
        Assert.True(Padding(grouped) < Padding(plain) / 3, $"padding {Padding(plain):P1} -> {Padding(grouped):P1}");
        // The same examples, each once; a seeded order; another seed, another order.
        Assert.Equal(plain.SelectMany(b => b.ClassLabels!).Order(), grouped.SelectMany(b => b.ClassLabels!).Order());
        Assert.Equal(1000, grouped.Sum(b => b.Size));
        Assert.Equal(grouped.Select(b => string.Join(',', b.InputIds)), (await EpochAsync(true, 1, DataPosition.Start)).Select(b => string.Join(',', b.InputIds)));
        Assert.NotEqual(grouped.Select(b => b.Length), (await EpochAsync(true, 2, DataPosition.Start)).Select(b => b.Length));
        // Not sorted across the epoch: lengths go up and down.
        Assert.Contains(grouped.Zip(grouped.Skip(1)), p => p.Second.Length > p.First.Length);

        // Resume from any batch boundary: the same batches as the uninterrupted epoch from there on.
        foreach (var k in (int[])[1, 17, 50, grouped.Count - 1])
        {
            var resumed = await EpochAsync(true, 1, grouped[k - 1].Position);
            Assert.Equal(grouped.Skip(k).Select(b => string.Join(',', b.InputIds) + "|" + b.Position), resumed.Select(b => string.Join(',', b.InputIds) + "|" + b.Position));
        }
    }
}
