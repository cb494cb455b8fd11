using System.Net.Http.Json;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;
using BertFunctions.Orchestration;
using Microsoft.AspNetCore.Builder;

namespace BertFunctions.LocalHost.Tests;

/// <summary>Azurite for the test class; local hosts are started and stopped by the tests (a restart is a test).</summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    private AzuriteEmulator? emulator;

    public string ConnectionString => emulator!.ConnectionString;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public static string TrainerAssembly => Path.Combine(AppContext.BaseDirectory, "bertfn-trainer.dll");

    public async ValueTask InitializeAsync()
    {
        emulator = await AzuriteEmulator.StartAsync();
        Blobs = new StorageClients(emulator.ConnectionString).Blobs;
        await Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer).CreateIfNotExistsAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
    }

    /// <summary>A started local host on a free loopback port, with or without the trainer worker.</summary>
    public async Task<RunningHost> StartHostAsync(bool trainer, Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging = null)
    {
        // The in-memory Durable backend picks a free port and then binds it; hosts starting in parallel test classes
        // (and Azurite) can take that port in between. Such a start is retried with a new host.
        for (var attempt = 1; ; attempt++)
        {
            var app = LocalPipelineHost.Build(new LocalHostOptions
            {
                Storage = ConnectionString,
                Url = "http://127.0.0.1:0",
                TrainerAssembly = trainer ? TrainerAssembly : null,
                TrainerLog = Path.Combine(Path.GetTempPath(), "bertfn-localhost-tests-trainer.log"),
                WatchInterval = TimeSpan.FromMilliseconds(500),
                WatchIntervalMax = TimeSpan.FromSeconds(2),
                Pipeline = new PipelineOptions { DebounceWindow = TimeSpan.FromSeconds(1), JobInactivityTimeout = TimeSpan.FromMinutes(4), MaxTrainerAttempts = 2 },
            }, logging);
            try
            {
                await app.StartAsync(TestContext.Current.CancellationToken);
                return new RunningHost(app, new HttpClient { BaseAddress = app.Address(), Timeout = TimeSpan.FromSeconds(60) });
            }
            catch (IOException e) when (attempt < 3 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await app.DisposeAsync();
            }
        }
    }

    public async Task UploadAsync(string name, string content) =>
        await Blobs.GetBlobContainerClient(StorageLayout.UploadsContainer).GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true, TestContext.Current.CancellationToken);

    /// <summary>Real Spam Assassin emails as labeled uploads.</summary>
    public async Task UploadSpamAsync(string dataset, int perLabel)
    {
        foreach (var email in SpamAssassinCorpus.ReadAll(CorpusLocator.SpamAssassin()).GroupBy(e => e.Label).SelectMany(g => g.Take(perLabel)))
        {
            await UploadAsync($"labeled/{dataset}/{email.Label}/{email.FileName}", email.Raw);
        }
    }
}

public sealed class RunningHost(WebApplication app, HttpClient http) : IAsyncDisposable
{
    public HttpClient Http => http;

    public WebApplication App => app;

    /// <summary>Polls GET /api/training/{id} until the run ends or the time is up; returns the last status.</summary>
    public async Task<Orchestration.Api.RunStatusResponse> WaitForRunAsync(string id, TimeSpan limit, Func<Orchestration.Api.RunStatusResponse, bool>? until = null)
    {
        var deadline = DateTime.UtcNow + limit;
        Orchestration.Api.RunStatusResponse? status = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await http.GetAsync($"/api/training/{id}", TestContext.Current.CancellationToken);
            if (response.IsSuccessStatusCode)
            {
                status = await response.Content.ReadFromJsonAsync<Orchestration.Api.RunStatusResponse>(Orchestration.Api.TrainingApi.JsonOptions, TestContext.Current.CancellationToken);
                if (status!.RuntimeStatus is "Completed" or "Failed" or "Terminated" or "completed" or "failed" or "cancelled" || (until?.Invoke(status) ?? false))
                {
                    return status;
                }
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"run {id} did not end within {limit}; last status: {status?.Phase} {status?.Percent}% {status?.Message}");
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
