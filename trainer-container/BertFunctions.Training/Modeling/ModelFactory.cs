using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Modeling;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Data;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace BertFunctions.Training.Modeling;

/// <summary>
/// Builds the model a job starts from: random init from the spec's config, MiniLM, the latest checkpoint of another
/// job, or an HF folder / model package from the models container. Checks the dataset's vocabulary (and a package's
/// label count) against the base model first; every mismatch is a <see cref="TrainingFailedException"/>.
/// </summary>
public sealed class ModelFactory(BlobServiceClient blobs, ICheckpointStore checkpoints, ILogger<ModelFactory> logger)
{
    /// <summary>The model of <paramref name="spec"/> on the CPU, training mode.</summary>
    /// <param name="spec">The job.</param>
    /// <param name="dataset">The dataset it trains on.</param>
    /// <param name="classWeights">Loss weights per class (classification), or null.</param>
    /// <param name="scratch">A folder to download base models into.</param>
    /// <param name="cancellationToken">Cancels downloads.</param>
    public async Task<TrainableModel> CreateAsync(TrainingJobSpec spec, DatasetInfo dataset, IReadOnlyList<float>? classWeights, string scratch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        var classify = spec.Mode == JobMode.Classify || (spec.Mode == JobMode.Evaluate && dataset.IsClassification);
        if (classify != dataset.IsClassification)
        {
            throw new TrainingFailedException($"a {spec.Mode.ToString().ToLowerInvariant()} job needs a {(classify ? "classification" : "pretraining")} dataset; {dataset.Name}/{dataset.Version} is not one");
        }

        var source = await LoadBaseAsync(spec, dataset, scratch, cancellationToken).ConfigureAwait(false);
        try
        {
            if (source.Vocabulary is not null)
            {
                VocabularyCheck.Ensure(dataset, source.Vocabulary, source.Description);
            }

            if (classify && source.Config.Architectures?.Contains("BertForSequenceClassification") == true && source.Config.LabelCount != dataset.Labels!.Count)
            {
                throw new TrainingFailedException($"label count mismatch: {source.Description} classifies {source.Config.LabelCount} labels, dataset {dataset.Name}/{dataset.Version} has {dataset.Labels.Count} ({string.Join(", ", dataset.Labels)})");
            }

            var freshHead = source.Config.Architectures?.Contains(nameof(BertForSequenceClassification)) != true;
            var config = Adapt(source.Config, spec.Hyperparameters, classify ? dataset.Labels : null, freshHead);
            if (config.MaxPositionEmbeddings < dataset.MaxSeqLen)
            {
                throw new TrainingFailedException($"max_position_embeddings = {config.MaxPositionEmbeddings} is shorter than the dataset's sequences (max_seq_len {dataset.MaxSeqLen})");
            }

            nn.Module module = classify ? new BertForSequenceClassification(config, classWeights) : new BertForMaskedLM(config);
            if (source.Weights is not null)
            {
                LoadWeights(module, source, classify);
            }

            module.train();
            var vocabulary = source.Vocabulary ?? Encoding.UTF8.GetString(dataset.Vocabulary);
            return new TrainableModel(module, config, classify ? JobMode.Classify : JobMode.Mlm, vocabulary, classify ? dataset.Labels : null);
        }
        finally
        {
            foreach (var t in source.Weights?.Values.AsEnumerable() ?? [])
            {
                t.Dispose();
            }
        }
    }

    /// <summary>The architecture of a from-scratch job: the spec's config, its vocab_size taken from (and checked against) the dataset.</summary>
    public static BertConfig ConfigFromSpec(TrainingJobSpec spec, DatasetInfo dataset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dataset);
        if (spec.Config is not { ValueKind: JsonValueKind.Object } json)
        {
            throw new TrainingFailedException("base kind none needs a config (HF config.json fields) in the job spec");
        }

        var vocabulary = Datasets.TokenVocabulary.Load(dataset.Vocabulary);
        if (json.TryGetProperty("vocab_size", out var size) && size.TryGetInt32(out var given) && given != vocabulary.Size)
        {
            throw new TrainingFailedException($"config vocab_size = {given} disagrees with the dataset's vocabulary of {vocabulary.Size} tokens; leave vocab_size out or make it {vocabulary.Size}");
        }

        try
        {
            return BertConfig.FromJson(json.GetRawText(), "job spec config") with { VocabSize = vocabulary.Size, PadTokenId = vocabulary.PadId };
        }
        catch (InvalidDataException e)
        {
            throw new TrainingFailedException(e.Message, e);
        }
    }

    /// <summary>The model's config for this job: dropout and labels from the job; a new classification head pools as the job says.</summary>
    private static BertConfig Adapt(BertConfig config, Hyperparameters hp, IReadOnlyList<string>? labels, bool freshHead) => (config with
    {
        ClassifierPooling = labels is not null && freshHead ? hp.ClassifierPooling : config.ClassifierPooling,
        HiddenDropoutProb = hp.HiddenDropout ?? config.HiddenDropoutProb,
        AttentionProbsDropoutProb = hp.AttentionDropout ?? config.AttentionProbsDropoutProb,
        NumLabels = labels?.Count,
        Id2Label = labels?.Select((l, i) => (l, i)).ToDictionary(p => p.i.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.l),
        Label2Id = labels?.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i),
        Architectures = null,
    }).Validate();

    private void LoadWeights(nn.Module module, BaseModel source, bool classify)
    {
        var weights = source.Weights!;
        // A checkpoint of the same task (same head) loads whole; otherwise only the encoder, and the head starts fresh.
        var sameHead = classify
            ? weights.TryGetValue("classifier.weight", out var head) && head.shape[0] == ((BertForSequenceClassification)module).Bert.Config.LabelCount
            : weights.ContainsKey("cls.predictions.transform.dense.weight");
        if (sameHead)
        {
            StrictLoader.Load(module, weights, source.Description);
            TrainingLog.WeightsLoaded(logger, source.Description, "the whole model");
            return;
        }

        var encoder = module is BertForMaskedLM mlm ? mlm.Bert : ((BertForSequenceClassification)module).Bert;
        var poolerFresh = EncoderWeights.Load(encoder, weights, source.Description);
        TrainingLog.WeightsLoaded(logger, source.Description, "the encoder");
        TrainingLog.HeadInitialised(logger, classify ? "classifier" : "MLM head (cls.predictions, decoder tied to the word embeddings)",
            source.Description, poolerFresh ? " and the pooler" : "");
    }

    private async Task<BaseModel> LoadBaseAsync(TrainingJobSpec spec, DatasetInfo dataset, string scratch, CancellationToken cancellationToken)
    {
        switch (spec.Base.Kind)
        {
            case ModelBaseKind.None:
                return new BaseModel(ConfigFromSpec(spec, dataset), null, null, "random initialisation");
            case ModelBaseKind.MiniLm:
                return new BaseModel(MiniLmPretrained.Config, MiniLmPretrained.ReadStateDict(), MiniLmPretrained.ReadVocabulary(), "all-MiniLM-L6-v2");
            case ModelBaseKind.Checkpoint:
                var folder = Path.Combine(scratch, "base-checkpoint");
                var restored = await checkpoints.RestoreLatestAsync(spec.Base.Reference!, folder, cancellationToken).ConfigureAwait(false)
                    ?? throw new TrainingFailedException($"base checkpoint: job '{spec.Base.Reference}' has no usable checkpoint");
                return new BaseModel(
                    BertConfig.FromJson(await File.ReadAllTextAsync(Path.Combine(folder, CheckpointFiles.Config), cancellationToken).ConfigureAwait(false), restored.Location + CheckpointFiles.Config),
                    SafeTensors.Read(Path.Combine(folder, CheckpointFiles.Model)),
                    await File.ReadAllTextAsync(Path.Combine(folder, CheckpointFiles.Vocabulary), cancellationToken).ConfigureAwait(false),
                    restored.Location);
            default:
                var directory = await DownloadHfAsync(spec.Base.Reference!, Path.Combine(scratch, "base-model"), cancellationToken).ConfigureAwait(false);
                var hf = HfModelDirectory.Open(directory.Folder);
                return new BaseModel(hf.Config, hf.ReadWeights(), hf.ReadVocabulary(), directory.Location);
        }
    }

    /// <summary>Downloads the shallowest folder under <c>models/{reference}</c> that holds a config.json (an HF folder, or the one inside a package).</summary>
    private async Task<(string Folder, string Location)> DownloadHfAsync(string reference, string folder, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        var prefix = reference.TrimEnd('/') + "/";
        var names = new List<string>();
        if (await container.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                names.Add(blob.Name);
            }
        }

        var config = names.Where(n => n.EndsWith("/" + HfModelDirectory.ConfigFile, StringComparison.Ordinal)).OrderBy(n => n.Count(c => c == '/')).ThenBy(n => n, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new TrainingFailedException($"no model at {StorageLayout.ModelsContainer}/{prefix}: no {HfModelDirectory.ConfigFile} under it");
        var root = config[..(config.Length - HfModelDirectory.ConfigFile.Length)];
        Directory.CreateDirectory(folder);
        foreach (var name in names.Where(n => n.StartsWith(root, StringComparison.Ordinal) && !n[root.Length..].Contains('/', StringComparison.Ordinal)))
        {
            await container.GetBlobClient(name).DownloadToAsync(Path.Combine(folder, name[root.Length..]), cancellationToken).ConfigureAwait(false);
        }

        return (folder, $"{StorageLayout.ModelsContainer}/{root}");
    }

    /// <summary>A base model before adaptation: its config, weights (null for random init), vocabulary text (null: the dataset's).</summary>
    private sealed record BaseModel(BertConfig Config, Dictionary<string, Tensor>? Weights, string? Vocabulary, string Description);
}
