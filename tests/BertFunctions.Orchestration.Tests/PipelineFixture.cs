using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// The pipeline on real parts: Azurite for blobs and queues, the Durable Task in-process engine running the real
/// orchestrators and activities. Only the trainer is scripted (<see cref="ScriptedTrainer"/>): these tests are about
/// the orchestration's logic, and the real trainer has its own tests (and the local host's end-to-end test uses it).
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    private AzuriteEmulator? emulator;

    public DurableTaskTestHost Host { get; private set; } = null!;

    public StorageClients Storage { get; private set; } = null!;

    public BlobServiceClient Blobs => Storage.Blobs;

    public QueueServiceClient Queues => Storage.Queues;

    public DurableTaskClient Client => Host.Client;

    public PipelineOptions Options { get; } = new()
    {
        DebounceWindow = TimeSpan.FromSeconds(2),
        JobInactivityTimeout = TimeSpan.FromMinutes(2),
        MaxTrainerAttempts = 2,
    };

    public async ValueTask InitializeAsync()
    {
        emulator = await AzuriteEmulator.StartAsync();
        Storage = new StorageClients(emulator.ConnectionString);
        foreach (var name in StorageLayout.AllContainers)
        {
            await Blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync();
        }

        // The test host picks a free port and then binds it; a test class starting in parallel (or Azurite) can take
        // that port in between. Such a start is retried, as the local host's is.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Host = await DurableTaskTestHost.StartAsync(tasks => tasks.AddPipelineTasks(), new DurableTaskTestHostOptions
                {
                    ConfigureServices = services =>
                    {
                        services.AddLogging();
                        services.AddSingleton(Storage.Blobs);
                        services.AddSingleton(Storage.Queues);
                        services.AddSingleton<IOptions<PipelineOptions>>(Microsoft.Extensions.Options.Options.Create(Options));
                        services.AddPipeline();
                    },
                });
                return;
            }
            catch (IOException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // A fresh start picks a fresh port.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
    }

    public T Get<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    /// <summary>Uploads real Spam Assassin emails as labeled data: <c>labeled/{dataset}/{ham|spam}/{file}</c>.</summary>
    public async Task UploadSpamAsync(string dataset, int perLabel, int skip = 0)
    {
        var uploads = Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        var emails = SpamAssassinCorpus.ReadAll(CorpusLocator.SpamAssassin())
            .GroupBy(e => e.Label)
            .SelectMany(g => g.Skip(skip).Take(perLabel));
        foreach (var email in emails)
        {
            await uploads.GetBlobClient($"labeled/{dataset}/{email.Label}/{email.FileName}").UploadAsync(BinaryData.FromString(email.Raw), overwrite: true);
        }
    }

    public async Task UploadAsync(string name, string content) =>
        await Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer).GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
}
