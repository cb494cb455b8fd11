using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

namespace BertFunctions.Pipeline.Tests;

/// <summary>A fresh in-memory Azurite per test class, started by the test itself.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteEmulator? emulator;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        emulator = await AzuriteEmulator.StartAsync();
        Blobs = new BlobServiceClient(emulator.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
    }

    public IngestionSteps Steps() => new(Blobs, NullLogger<IngestionSteps>.Instance);

    public LocalIngestionRunner Runner() => new(Steps(), TimeProvider.System);

    public BlobContainerClient Uploads => Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);

    public BlobContainerClient Datasets => Blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer);

    public async Task UploadAsync(string name, byte[] content)
    {
        await Uploads.CreateIfNotExistsAsync();
        await Uploads.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
    }

    public async Task UploadAsync(string name, string content) => await UploadAsync(name, System.Text.Encoding.UTF8.GetBytes(content));

    public async Task<List<string>> ListAsync(string container, string prefix = "")
    {
        var names = new List<string>();
        await foreach (var blob in Blobs.GetBlobContainerClient(container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, default))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
