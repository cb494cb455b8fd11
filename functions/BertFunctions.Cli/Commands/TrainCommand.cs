using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Pipeline.Ingestion;
using BertFunctions.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn train --mode mlm|classify --dataset NAME [--version V] [--base REF]</c>: runs one training job in the
/// foreground (the same runner the trainer container uses) with a progress bar; checkpoints and the model package
/// go to blob storage. Re-running the same job id resumes from its latest checkpoint.
/// </summary>
public sealed class TrainCommand(ConsoleStreams streams) : AsyncCommand<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--mode <MODE>")]
        [Description("mlm (masked-language-model training), classify (fine-tuning) or evaluate.")]
        public string Mode { get; init; } = "classify";

        [CommandOption("-d|--dataset <NAME>")]
        [Description("The dataset (ingested with bertfn ingest).")]
        public string Dataset { get; init; } = "";

        [CommandOption("--version <VERSION>")]
        [Description("The dataset version (default: the newest).")]
        public string? Version { get; init; }

        [CommandOption("--base <REF>")]
        [Description("minilm (default), none (random init; with --config), checkpoint:JOB, package:NAME/VERSION or hf:PREFIX (in the models container).")]
        public string Base { get; init; } = "minilm";

        [CommandOption("--config <FILE>")]
        [Description("With --base none: an HF config.json with the architecture (hidden_size, num_hidden_layers, ...).")]
        public string? Config { get; init; }

        [CommandOption("--job <ID>")]
        [Description("Job id (default: from dataset, mode and base); the same id resumes from its checkpoint.")]
        public string? Job { get; init; }

        [CommandOption("--output <NAME/VERSION>")]
        [Description("Classify: write a model package to models/NAME/VERSION/.")]
        public string? Output { get; init; }

        [CommandOption("--learning-rate <LR>")]
        public double? LearningRate { get; init; }

        [CommandOption("--batch-size <N>")]
        public int? BatchSize { get; init; }

        [CommandOption("--epochs <N>")]
        public double? Epochs { get; init; }

        [CommandOption("--max-steps <N>")]
        public long? MaxSteps { get; init; }

        [CommandOption("--eval-every <N>")]
        public long? EvalEvery { get; init; }

        [CommandOption("--eval-batch-size <N>")]
        [Description("Examples per evaluation batch (default: the training batch size).")]
        public int? EvalBatchSize { get; init; }

        [CommandOption("--class-weights")]
        [Description("Weight the loss by inverse class frequency.")]
        public bool ClassWeights { get; init; }

        [CommandOption("--dynamic-masking")]
        [Description("MLM: re-mask every batch instead of using the shards' static masks.")]
        public bool DynamicMasking { get; init; }

        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 42;

        [CommandOption("--group-by-length")]
        [Description("Classification: batch examples of similar length together (less padding; off by default, see docs/trainer.md).")]
        public bool GroupByLength { get; init; }

        [CommandOption("--precision <PRECISION>")]
        [Description("auto (default: bf16 where the CPU or GPU computes it natively, else fp32), fp32 or bf16.")]
        public string Precision { get; init; } = "auto";

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Dataset) ? ValidationResult.Error("--dataset is required") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "train", streams.Error, cancellationToken).ConfigureAwait(false);
        var version = settings.Version ?? (await new IngestionSteps(storage.Blobs, NullLogger<IngestionSteps>.Instance).LatestVersionAsync(settings.Dataset, cancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"dataset '{settings.Dataset}' has no versions yet: run bertfn ingest first", ExitCodes.NoInput));
        var spec = await BuildSpecAsync(settings, version, cancellationToken).ConfigureAwait(false);
        var runner = TrainingJobRunner.Create(storage.Blobs, NullLoggerFactory.Instance, new JobPackageWriter(storage.Blobs));
        var console = streams.ErrorConsole();
        TrainingEvent? last = null;
        TrainingResult result;
        if (streams.ShowProgress)
        {
            result = await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"{spec.Mode} {spec.JobId}");
                    return await runner.RunAsync(spec, new Progress<TrainingEvent>(e =>
                    {
                        last = e;
                        if (e.TotalSteps > 0)
                        {
                            task.MaxValue = e.TotalSteps;
                            task.Value = e.Step;
                        }

                        if (e.Loss is { } loss)
                        {
                            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{spec.Mode} step {e.Step}/{e.TotalSteps} loss {loss:F4}"));
                        }
                    }), cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        else
        {
            // No terminal: one plain line per event on stderr (the runner reports progress every few seconds), for logs.
            result = await runner.RunAsync(spec, new SynchronousProgress(e =>
            {
                last = e;
                streams.Error.WriteLine(Describe(e));
            }), cancellationToken).ConfigureAwait(false);
        }

        using (result)
        {
            if (!result.Succeeded)
            {
                throw new CliException($"job {spec.JobId} failed: {result.Error ?? last?.Error}");
            }

            await using var output = new StreamWriter(streams.Output) { AutoFlush = true };
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"job {spec.JobId}: {result.Steps} steps, checkpoint {result.FinalCheckpoint}")).ConfigureAwait(false);
            if (last?.Cost is { } cost)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"cost: {cost.Tokens:N0} tokens, {cost.TrainSeconds:F1} s training, {cost.Device}, {cost.Precision ?? "fp32"}, {cost.PaddedShare ?? 0:P1} of batch positions padding")).ConfigureAwait(false);
            }

            foreach (var (name, value) in result.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name} {value:F4}")).ConfigureAwait(false);
            }

            if (!string.IsNullOrEmpty(result.ModelPackage))
            {
                await output.WriteLineAsync($"model package: {result.ModelPackage}").ConfigureAwait(false);
            }
        }

        return ExitCodes.Ok;
    }

    private static string Describe(TrainingEvent e)
    {
        var text = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{e.At:HH:mm:ss} {e.Kind.ToString().ToLowerInvariant()} step {e.Step}/{e.TotalSteps}"));
        if (e.Loss is { } loss)
        {
            text.Append(CultureInfo.InvariantCulture, $" loss {loss:F4}");
        }

        if (e.TokensPerSecond is { } speed)
        {
            text.Append(CultureInfo.InvariantCulture, $" {speed:N0} tokens/s");
        }

        if (e.EtaSeconds is { } eta)
        {
            text.Append(" eta ").Append(TimeSpan.FromSeconds(Math.Round(eta)).ToString("c", CultureInfo.InvariantCulture));
        }

        foreach (var (name, value) in e.Metrics ?? new Dictionary<string, double>())
        {
            text.Append(CultureInfo.InvariantCulture, $" {name} {value:F4}");
        }

        if (e.Error is { } error)
        {
            text.Append(" error: ").Append(error);
        }

        return text.ToString();
    }

    private static async Task<TrainingJobSpec> BuildSpecAsync(Settings settings, string version, CancellationToken cancellationToken)
    {
        var mode = settings.Mode switch
        {
            "mlm" => JobMode.Mlm,
            "classify" => JobMode.Classify,
            "evaluate" => JobMode.Evaluate,
            _ => throw new CliException($"--mode '{settings.Mode}' is not one of mlm, classify, evaluate", ExitCodes.Usage),
        };
        var modelBase = settings.Base.Split(':', 2) switch
        {
            ["minilm"] => ModelBase.MiniLm,
            ["none"] => ModelBase.None,
            ["checkpoint", var job] => new ModelBase(ModelBaseKind.Checkpoint, job),
            ["package", var package] => new ModelBase(ModelBaseKind.Package, package),
            ["hf", var prefix] => new ModelBase(ModelBaseKind.HfDirectory, prefix),
            _ => throw new CliException($"--base '{settings.Base}' is not one of minilm, none, checkpoint:JOB, package:NAME/VERSION, hf:PREFIX", ExitCodes.Usage),
        };
        JsonElement? config = null;
        if (settings.Config is { } file)
        {
            if (!File.Exists(file))
            {
                throw new CliException($"config file '{file}' not found", ExitCodes.NoInput);
            }

            config = JsonDocument.Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).RootElement.Clone();
        }

        ModelPackageReference? output = null;
        if (settings.Output is { } target)
        {
            output = target.Split('/') is [var name, var v] ? new ModelPackageReference(name, v) : throw new CliException($"--output '{target}' must be NAME/VERSION", ExitCodes.Usage);
        }

        var defaults = new Hyperparameters();
        var spec = new TrainingJobSpec
        {
            JobId = settings.Job ?? $"{settings.Dataset}-{settings.Mode}-{settings.Base.Replace(':', '-').Replace('/', '-')}-{version[..Math.Min(8, version.Length)]}".ToLowerInvariant(),
            Mode = mode,
            Base = modelBase,
            Config = config,
            Dataset = new DatasetReference(settings.Dataset, version),
            Output = output,
            Seed = settings.Seed,
            Hyperparameters = defaults with
            {
                LearningRate = settings.LearningRate ?? defaults.LearningRate,
                BatchSize = settings.BatchSize ?? defaults.BatchSize,
                Epochs = settings.Epochs ?? defaults.Epochs,
                MaxSteps = settings.MaxSteps,
                EvalEverySteps = settings.EvalEvery ?? defaults.EvalEverySteps,
                EvalBatchSize = settings.EvalBatchSize,
                ClassWeights = settings.ClassWeights,
                DynamicMasking = settings.DynamicMasking,
                Precision = settings.Precision,
                GroupByLength = settings.GroupByLength,
            },
        };
        try
        {
            return spec.Validate();
        }
        catch (JobSpecException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    /// <summary>Progress reported on the caller's thread (the runner's events are few; no UI to marshal to).</summary>
    private sealed class SynchronousProgress(Action<TrainingEvent> report) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => report(value);
    }
}
