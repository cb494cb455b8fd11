using System.ComponentModel;
using System.Globalization;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Packages;
using BertFunctions.Modeling;
using BertFunctions.Tokenization;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn classify --model REF "text" ...</c>: labels and class probabilities from a trained classifier, run in
/// TorchSharp. REF is a local HF directory or <c>NAME/VERSION</c> of a model package in blob storage. Without
/// texts, reads JSON lines {"text": ...} from stdin and writes one JSON line per input.
/// </summary>
public sealed class ClassifyCommand(ConsoleStreams streams) : AsyncCommand<ClassifyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[TEXTS]")]
        [Description("Texts to classify. Omit to read JSON lines {\"text\": ...} from stdin.")]
        public string[] Texts { get; init; } = [];

        [CommandOption("-m|--model <REF>")]
        [Description("A local HF classifier directory, or NAME/VERSION of a model package in blob storage.")]
        public string Model { get; init; } = "";

        [CommandOption("--max-length <N>")]
        [Description("Truncate to N word pieces including [[CLS]] and [[SEP]] (default 128).")]
        public int MaxLength { get; init; } = 128;

        [CommandOption("--storage <STORAGE>")]
        [Description("For model packages: 'local' (default), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        [CommandOption("--endpoint <URL>")]
        [Description("Call a running classify endpoint instead (bertfn serve, or the Functions app with BERTFN_FUNCTION_KEY); --model is then optional: a model name or NAME/VERSION.")]
        public string? Endpoint { get; init; }

        public override ValidationResult Validate() =>
            Endpoint is not null && !Uri.TryCreate(Endpoint, UriKind.Absolute, out _) ? ValidationResult.Error("--endpoint must be an absolute URL, e.g. http://127.0.0.1:7071")
            : string.IsNullOrEmpty(Model) && Endpoint is null ? ValidationResult.Error("--model is required (or --endpoint)")
            : MaxLength is < 2 or > 512 ? ValidationResult.Error("--max-length must be between 2 and 512")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Endpoint is { } endpoint)
        {
            return await ClassifyRemotelyAsync(settings, new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/"), cancellationToken).ConfigureAwait(false);
        }

        var folder = await ResolveAsync(settings, cancellationToken).ConfigureAwait(false);
        var directory = HfModelDirectory.Open(folder);
        if (directory.Config.Architectures is { } architectures && !architectures.Contains("BertForSequenceClassification"))
        {
            throw new CliException($"model '{settings.Model}' is a {string.Join(", ", architectures)}, not a sequence classifier", ExitCodes.BadInput);
        }

        using var vocabulary = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(directory.ReadVocabulary()));
        var tokenizer = BertWordPieceTokenizer.FromVocab(vocabulary, new BertTokenizerOptions { LowerCase = directory.DoLowerCase });
        torch.set_num_threads(Environment.ProcessorCount);
        using var model = directory.LoadForSequenceClassification();
        model.eval();
        var labels = Enumerable.Range(0, directory.Config.LabelCount)
            .Select(i => directory.Config.Id2Label?.GetValueOrDefault(i.ToString(CultureInfo.InvariantCulture)) ?? $"LABEL_{i}")
            .ToArray();

        if (settings.Texts.Length > 0)
        {
            var table = new Table().AddColumn("text").AddColumn("label");
            foreach (var label in labels)
            {
                table.AddColumn(Markup.Escape(label));
            }

            foreach (var text in settings.Texts)
            {
                var probabilities = Classify(model, tokenizer, text, settings.MaxLength);
                var best = Array.IndexOf(probabilities, probabilities.Max());
                table.AddRow([Markup.Escape(text.Length > 60 ? text[..57] + "..." : text), Markup.Escape(labels[best]), .. probabilities.Select(p => p.ToString("F4", CultureInfo.InvariantCulture))]);
            }

            using var output = new StreamWriter(streams.Output) { AutoFlush = true };
            ConsoleStreams.OutputConsole(output).Write(table);
            return ExitCodes.Ok;
        }

        await using var writer = new JsonLinesWriter(streams.Output);
        await foreach (var record in new JsonLinesReader(streams.Input).ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var probabilities = Classify(model, tokenizer, record.Text, settings.MaxLength);
            var best = Array.IndexOf(probabilities, probabilities.Max());
            writer.WriteLine(json =>
            {
                json.WriteString("label", labels[best]);
                json.WriteNumber("score", probabilities[best]);
                json.WriteStartObject("probabilities");
                for (var i = 0; i < labels.Length; i++)
                {
                    json.WriteNumber(labels[i], probabilities[i]);
                }

                json.WriteEndObject();
            });
        }

        return ExitCodes.Ok;
    }

    /// <summary>The same output as a local model (a table for arguments, JSON lines for stdin), from a running endpoint.</summary>
    private async Task<int> ClassifyRemotelyAsync(Settings settings, Uri endpoint, CancellationToken cancellationToken)
    {
        using var classifier = new Serving.EndpointClassifier(endpoint, string.IsNullOrEmpty(settings.Model) ? null : settings.Model);
        if (settings.Texts.Length > 0)
        {
            var results = await classifier.ClassifyAsync(settings.Texts, cancellationToken).ConfigureAwait(false);
            var labels = results[0].Probabilities.Keys.Order(StringComparer.Ordinal).ToList();
            var table = new Table().AddColumn("text").AddColumn("label");
            foreach (var label in labels)
            {
                table.AddColumn(Markup.Escape(label));
            }

            for (var i = 0; i < results.Count; i++)
            {
                var text = settings.Texts[i];
                table.AddRow([Markup.Escape(text.Length > 60 ? text[..57] + "..." : text), Markup.Escape(results[i].Label), .. labels.Select(l => results[i].Probabilities.GetValueOrDefault(l).ToString("F4", CultureInfo.InvariantCulture))]);
            }

            using var output = new StreamWriter(streams.Output) { AutoFlush = true };
            var console = ConsoleStreams.OutputConsole(output);
            console.Write(table);
            console.WriteLine($"model {classifier.ModelVersion} at {endpoint}");
            return ExitCodes.Ok;
        }

        var records = new List<string>();
        await foreach (var record in new JsonLinesReader(streams.Input).ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(record.Text);
        }

        await using var writer = new JsonLinesWriter(streams.Output);
        foreach (var result in await classifier.ClassifyAsync(records, cancellationToken).ConfigureAwait(false))
        {
            writer.WriteLine(json =>
            {
                json.WriteString("label", result.Label);
                json.WriteNumber("score", result.Score);
                json.WriteStartObject("probabilities");
                foreach (var (label, probability) in result.Probabilities)
                {
                    json.WriteNumber(label, probability);
                }

                json.WriteEndObject();
                json.WriteBoolean("truncated", result.Truncated);
            });
        }

        return ExitCodes.Ok;
    }

    private static float[] Classify(BertForSequenceClassification model, BertWordPieceTokenizer tokenizer, string text, int maxLength)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var encoding = tokenizer.Encode(text, null, maxLength);
        long[] shape = [1, encoding.InputIds.Length];
        var output = model.forward(
            torch.tensor(encoding.InputIds.Select(i => (long)i).ToArray(), shape),
            torch.tensor(encoding.AttentionMask.Select(i => (long)i).ToArray(), shape),
            torch.tensor(encoding.TokenTypeIds.Select(i => (long)i).ToArray(), shape));
        return output.Logits.softmax(-1).squeeze(0).data<float>().ToArray();
    }

    /// <summary>A local folder as it is; NAME/VERSION is downloaded from blob storage (hashes verified).</summary>
    private async Task<string> ResolveAsync(Settings settings, CancellationToken cancellationToken)
    {
        if (Directory.Exists(settings.Model))
        {
            return settings.Model;
        }

        if (settings.Model.Split('/') is not [var name, var version] || File.Exists(settings.Model))
        {
            throw new CliException($"model '{settings.Model}' not found: give a local HF classifier directory or NAME/VERSION of a model package", ExitCodes.NoInput);
        }

        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "classify", streams.Error, cancellationToken).ConfigureAwait(false);
        try
        {
            var package = await new ModelPackageReader(storage.Blobs).OpenAsync(name, version, Path.Combine(CliHome.Path, "models", name, version), cancellationToken).ConfigureAwait(false);
            return package.HfDirectory;
        }
        catch (FileNotFoundException)
        {
            throw new CliException($"model package '{name}/{version}' not found in {storage.Description}", ExitCodes.NoInput);
        }
    }
}
