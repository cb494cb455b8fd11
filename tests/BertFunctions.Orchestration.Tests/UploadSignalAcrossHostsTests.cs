using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Events;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// Issue 16 item 9: in Azure, every blob-trigger invocation builds its own <see cref="UploadSignal"/>, on many hosts,
/// so no lock in a process can make "start the dataset's scheduler or tell the running one" happen once. Here two
/// hosts share one task hub on the Azure Storage backend (the provider Durable Functions runs on, on Azurite): the
/// backend's arbitration is what is tested, not the in-memory engine's.
/// </summary>
public sealed class UploadSignalAcrossHostsTests : IAsyncLifetime
{
    private readonly IOptions<PipelineOptions> options = Options.Create(new PipelineOptions { DebounceWindow = TimeSpan.FromSeconds(5), JobInactivityTimeout = TimeSpan.FromMinutes(2) });
    private AzuriteEmulator azurite = null!;
    private StorageClients storage = null!;
    private AzureStorageHost first = null!;
    private AzureStorageHost second = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        azurite = await AzuriteEmulator.StartAsync(cancellationToken: ct);
        storage = new StorageClients(azurite.ConnectionString);
        foreach (var name in StorageLayout.AllContainers)
        {
            await storage.Blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: ct);
        }

        first = await AzureStorageHost.StartAsync(azurite.ConnectionString, "sharedhub", "host-a", Configure, ct);
        second = await AzureStorageHost.StartAsync(azurite.ConnectionString, "sharedhub", "host-b", Configure, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task Concurrent_uploads_signalled_on_two_hosts_start_one_scheduler_which_starts_one_run()
    {
        var ct = TestContext.Current.CancellationToken;
        var names = await UploadSpamAsync("shared", ct);

        // Each upload's event reaches a fresh UploadSignal on one of the two hosts, as the blob trigger builds them,
        // all at once: no in-process lock is shared by any two of them.
        var signals = names.Select((name, i) => Task.Run(async () =>
        {
            using var signal = ActivatorUtilities.CreateInstance<UploadSignal>((i % 2 == 0 ? first : second).Services);
            return await signal.SignalAsync(name, ct);
        }, ct));
        Assert.All(await Task.WhenAll(signals), id => Assert.Equal("retrain-shared", id));

        // One run record appears (the run's id derives from the uploads), and no second one after the debounce.
        var runs = storage.Blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        List<string> records;
        do
        {
            await Task.Delay(500, ct);
            records = await RunRecordsAsync(runs, ct);
        }
        while (records.Count == 0 && DateTime.UtcNow < deadline);
        await Task.Delay(options.Value.DebounceWindow * 2, ct);
        records = await RunRecordsAsync(runs, ct);
        Assert.Single(records);
        Assert.StartsWith("shared-finetune-", records[0], StringComparison.Ordinal);

        var scheduler = await second.Client.GetInstanceAsync("retrain-shared", ct);
        Assert.NotNull(scheduler);
        Assert.Equal(OrchestrationRuntimeStatus.Running, scheduler.RuntimeStatus);
    }

    [Fact]
    public async Task A_start_that_loses_the_race_to_a_running_scheduler_is_refused_by_the_backend_instead_of_replacing_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await UploadSpamAsync("raced", ct);
        using var signal = ActivatorUtilities.CreateInstance<UploadSignal>(first.Services);
        await signal.SignalAsync("labeled/raced/ham/0.txt", ct);
        var running = await WaitRunningAsync("retrain-raced", ct);

        // The other host looked before the first start and saw nothing, so it starts too: what UploadSignal sends.
        var input = new SchedulerInput("raced", TimeSpan.FromMinutes(10), options.Value.RunSettings);
        await Assert.ThrowsAnyAsync<Exception>(() => second.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetrainSchedulerOrchestrator), input, UploadSignal.StartOptions("retrain-raced"), ct));
        var after = await second.Client.GetInstanceAsync("retrain-raced", getInputsAndOutputs: true, ct);
        Assert.NotNull(after);
        Assert.Equal(running.CreatedAt, after.CreatedAt);
        Assert.Equal(options.Value.DebounceWindow, after.ReadInputAs<SchedulerInput>()!.Debounce);

        // Without the dedupe statuses (the code before this test), the same start replaced the running scheduler.
        await second.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetrainSchedulerOrchestrator), input, new StartOrchestrationOptions("retrain-raced"), ct);
        var replaced = await second.Client.GetInstanceAsync("retrain-raced", getInputsAndOutputs: true, ct);
        Assert.Equal(TimeSpan.FromMinutes(10), replaced!.ReadInputAs<SchedulerInput>()!.Debounce);
    }

    private void Configure(IServiceCollection services)
    {
        services.AddSingleton(storage.Blobs);
        services.AddSingleton(storage.Queues);
        services.AddSingleton(options);
        services.AddPipeline();
    }

    private async Task<List<string>> UploadSpamAsync(string dataset, CancellationToken ct)
    {
        var uploads = storage.Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        var names = new List<string>();
        foreach (var email in SpamAssassinCorpus.ReadAll(CorpusLocator.SpamAssassin()).GroupBy(e => e.Label).SelectMany(g => g.Take(8)))
        {
            var name = $"labeled/{dataset}/{email.Label}/{email.FileName}";
            await uploads.GetBlobClient(name).UploadAsync(BinaryData.FromString(email.Raw), overwrite: true, ct);
            names.Add(name);
        }

        return names;
    }

    private async Task<OrchestrationMetadata> WaitRunningAsync(string id, CancellationToken ct)
    {
        for (var i = 0; i < 120; i++)
        {
            if (await first.Client.GetInstanceAsync(id, ct) is { RuntimeStatus: OrchestrationRuntimeStatus.Running } running)
            {
                return running;
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"{id} never ran");
    }

    private static async Task<List<string>> RunRecordsAsync(Azure.Storage.Blobs.BlobContainerClient container, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, ct))
        {
            if (blob.Name.EndsWith("/run.json", StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }
}
