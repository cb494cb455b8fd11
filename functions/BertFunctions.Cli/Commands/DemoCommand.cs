using System.ComponentModel;
using System.Diagnostics;
using BertFunctions.Cli.Demo;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Models;
using BertFunctions.Corpora;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn demo</c>: the main job as far as the project goes today, end to end on real data.
/// Spam Assassin emails → HF-exact tokenizer → pretrained MiniLM in TorchSharp → sentence embeddings →
/// nearest-centroid and k-NN spam detection on held-out emails. Nothing is trained, so the score shows
/// what the pretrained encoder brings before fine-tuning (the trainer arrives with a later issue).
/// </summary>
public sealed class DemoCommand(ConsoleStreams streams) : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--per-label <N>")]
        [Description("Emails per label (ham, spam) in the sample (default 300).")]
        public int PerLabel { get; init; } = 300;

        [CommandOption("--max-length <N>")]
        [Description("Word pieces per email, including [[CLS]] and [[SEP]] (default 128).")]
        public int MaxLength { get; init; } = 128;

        [CommandOption("-k|--neighbours <N>")]
        [Description("Neighbours for the k-NN vote (default 5).")]
        public int K { get; init; } = 5;

        public override ValidationResult Validate() =>
            PerLabel < 10 ? ValidationResult.Error("--per-label must be at least 10")
            : MaxLength is < 2 or > 512 ? ValidationResult.Error("--max-length must be between 2 and 512")
            : K < 1 ? ValidationResult.Error("--neighbours must be at least 1")
            : base.Validate();
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(streams.Error) });
        var output = new StreamWriter(streams.Output) { AutoFlush = true };
        var clock = Stopwatch.StartNew();

        var sample = SpamHamSample.Load(CorpusLocator.SpamAssassin(), settings.PerLabel);
        var reference = ModelCatalog.Resolve(settings.Model);
        var tokenizer = reference.LoadTokenizer();
        torch.set_num_threads(Environment.ProcessorCount);
        using var model = reference.LoadEncoder(torch.CPU);
        var encoder = new SentenceEncoder(tokenizer, model, settings.MaxLength, batchSize: 32);
        console.MarkupLine($"[grey]loaded {sample.Count} emails and model '{Markup.Escape(reference.Name)}' in {clock.Elapsed.TotalSeconds:N1} s[/]");

        long tokens = 0;
        var embedClock = Stopwatch.StartNew();
        float[][] embeddings = [];
        void Embed(Action<int, int> onBatch) => embeddings = encoder.Encode(sample.Select(s => s.Text).ToList(), onBatch, cancellationToken);
        if (streams.ShowProgress)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("embedding emails", maxValue: sample.Count);
                    Embed((texts, batchTokens) => { task.Increment(texts); tokens += batchTokens; });
                });
        }
        else
        {
            Embed((texts, batchTokens) => tokens += batchTokens);
        }

        var embedSeconds = embedClock.Elapsed.TotalSeconds;
        var train = Enumerable.Range(0, sample.Count).Where(i => !sample[i].IsTest).ToList();
        var test = Enumerable.Range(0, sample.Count).Where(i => sample[i].IsTest).ToList();
        if (train.Count == 0 || test.Count == 0)
        {
            throw new CliException("the sample is too small for a train/test split; raise --per-label");
        }

        var trainX = train.Select(i => embeddings[i]).ToList();
        var trainY = train.Select(i => sample[i].Label).ToList();
        var testX = test.Select(i => embeddings[i]).ToList();
        var gold = test.Select(i => sample[i].Label).ToList();
        var centroid = ClassificationScore.Of(gold, NearestNeighbours.NearestCentroid(trainX, trainY, testX));
        var knn = ClassificationScore.Of(gold, NearestNeighbours.KNearest(trainX, trainY, testX, settings.K));

        var table = new Table().Title("Spam Assassin: pretrained MiniLM embeddings, no training").AddColumns("measure", "value");
        table.AddRow("emails (train / test)", $"{train.Count} / {test.Count}");
        table.AddRow("word pieces embedded", $"{tokens:N0} (max {settings.MaxLength} per email)");
        table.AddRow("encoder throughput", $"{tokens / embedSeconds:N0} tokens/s on {Environment.ProcessorCount} CPU threads");
        table.AddRow("nearest centroid: accuracy / macro-F1", $"{centroid.Accuracy:P1} / {centroid.MacroF1:F3}");
        table.AddRow($"{settings.K}-NN (cosine): accuracy / macro-F1", $"{knn.Accuracy:P1} / {knn.MacroF1:F3}");
        table.AddRow("wall time", $"{clock.Elapsed.TotalSeconds:N1} s");
        var stdout = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        });
        stdout.Write(table);
        return Task.FromResult(ExitCodes.Ok);
    }
}
