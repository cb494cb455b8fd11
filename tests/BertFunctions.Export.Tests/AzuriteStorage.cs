using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Export.Tests;

/// <summary>One in-memory Azurite for the package tests, with a client that records every blob write in order.</summary>
public sealed class AzuriteStorage : IAsyncLifetime
{
    private AzuriteEmulator? azurite;

    public RequestRecorder Writes { get; } = new();

    public BlobServiceClient Service { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        azurite = await AzuriteEmulator.StartAsync();
        var options = new BlobClientOptions();
        options.AddPolicy(Writes, HttpPipelinePosition.PerCall);
        Service = new BlobServiceClient(azurite.ConnectionString, options);
    }

    public async ValueTask DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}

/// <summary>Records the blob path of every PUT (uploads), so tests can check what was written in which order.</summary>
public sealed class RequestRecorder : HttpPipelineSynchronousPolicy
{
    private readonly List<string> puts = [];

    public IReadOnlyList<string> PutsUnder(string prefix)
    {
        lock (puts)
        {
            return puts.Where(p => p.Contains(prefix, StringComparison.Ordinal)).Select(p => p[(p.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length)..]).ToList();
        }
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        if (message.Request.Method == RequestMethod.Put)
        {
            lock (puts)
            {
                puts.Add(message.Request.Uri.Path); // .../models/{name}/{version}/{file}
            }
        }
    }
}
