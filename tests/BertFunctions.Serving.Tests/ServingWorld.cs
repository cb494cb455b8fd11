using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Corpora;
using BertFunctions.Datasets;
using BertFunctions.Export;
using BertFunctions.Ingestion;
using BertFunctions.Modeling;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

[assembly: AssemblyFixture(typeof(BertFunctions.Serving.Tests.ServingWorld))]

namespace BertFunctions.Serving.Tests;

/// <summary>
/// One Azurite for the whole assembly, holding a real dataset version: Spam Assassin emails ingested by the real
/// pipeline with non-default classification options (64 positions, half head, half tail), so that a model served
/// with ingestion's defaults would tokenize differently and the tests would see it. Tests write their own model
/// packages (under their own names) and promote them as the pipeline does.
/// </summary>
public sealed class ServingWorld : IAsyncLifetime
{
    public const string Dataset = "spam";

    public static readonly ClassificationOptions Classification = new() { MaxSeqLen = 64, HeadFraction = 0.5 };

    private AzuriteEmulator? azurite;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public string ConnectionString => azurite!.ConnectionString;

    public DatasetManifest Manifest { get; private set; } = null!;

    /// <summary>The ingested texts (email bodies) with their labels.</summary>
    public IReadOnlyList<(string Text, string Label)> Emails { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        azurite = await AzuriteEmulator.StartAsync();
        Blobs = new BlobServiceClient(azurite.ConnectionString);
        var corpus = CorpusLocator.SpamAssassin();
        Emails = [.. new[] { ("easy-ham-1", 10), ("hard-ham-1", 4), ("spam-1", 10), ("spam-2", 4) }
            .SelectMany(g => SpamAssassinCorpus.ReadAll(corpus, [g.Item1]).Take(g.Item2))
            .Select(e => (SpamAssassinCorpus.Body(e.Raw), e.Label))
            .Where(e => !string.IsNullOrWhiteSpace(e.Item1))];

        var uploads = Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await uploads.CreateIfNotExistsAsync();
        var jsonl = string.Concat(Emails.Select(e => JsonSerializer.Serialize(new { text = e.Text, label = e.Label }) + "\n"));
        await uploads.GetBlobClient("labeled/spam/emails.jsonl").UploadAsync(BinaryData.FromString(jsonl), overwrite: true);
        var request = new IngestionRequest
        {
            Dataset = Dataset,
            Kind = DatasetKind.Classification,
            Reading = new IngestionOptions { Labeled = true },
            Classification = Classification,
        };
        var runner = new LocalIngestionRunner(new IngestionSteps(Blobs, NullLogger<IngestionSteps>.Instance), TimeProvider.System);
        Manifest = (await runner.RunAsync(request, null, CancellationToken.None)).Manifest;
    }

    /// <summary>A model package as the trainer writes it: its job.json names this dataset version.</summary>
    public async Task WritePackageAsync(string name, string version, BertForSequenceClassification model, string? jobJson = null)
    {
        var job = jobJson ?? new TrainingJobSpec
        {
            JobId = $"{name}-{version}".ToLowerInvariant(),
            Mode = JobMode.Classify,
            Base = ModelBase.MiniLm,
            Dataset = new DatasetReference(Dataset, Manifest.Version),
            Output = new ModelPackageReference(name, version),
        }.ToJson();
        await new ModelPackageWriter(Blobs).WriteAsync(new ModelPackageContent(name, version, model, TinyClassifiers.Config, MiniLmPretrained.ReadVocabulary(), """{"accuracy": 0.9}""", job));
    }

    /// <summary>Writes a seeded package unless it is there (fixtures of two classes may share a name; same seed, same package).</summary>
    public async Task WritePackageAsync(string name, string version, int seed)
    {
        if (await Blobs.GetBlobContainerClient(StorageLayout.ModelsContainer).GetBlobClient($"{name}/{version}/package.json").ExistsAsync())
        {
            return;
        }

        using var model = TinyClassifiers.Create(seed);
        try
        {
            await WritePackageAsync(name, version, model);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("already exists", StringComparison.Ordinal) || e.Message.Contains("another writer", StringComparison.Ordinal))
        {
            // The other fixture won the race: same seed, same package.
        }
    }

    /// <summary>What the pipeline's promotion writes: the contracts' LiveModel in models/{name}/live.json.</summary>
    public async Task PromoteAsync(string name, string version)
    {
        var live = new LiveModel
        {
            Name = name,
            Version = version,
            Package = $"{name}/{version}/",
            Metrics = new Dictionary<string, double> { ["accuracy"] = 0.9 },
            DatasetVersion = Manifest.Version,
            RunId = "run-" + version,
            PromotedAt = DateTimeOffset.UtcNow,
        };
        var models = Blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        await models.CreateIfNotExistsAsync();
        await models.GetBlobClient(StorageLayout.LiveModel(name)).UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(live, LiveModel.JsonOptions)), overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}
