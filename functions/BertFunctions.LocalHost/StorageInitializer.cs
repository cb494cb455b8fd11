using BertFunctions.Pipeline.Ingestion;
using Microsoft.Extensions.Hosting;

namespace BertFunctions.LocalHost;

/// <summary>Creates the pipeline's containers before anything else runs (in Azure, the infrastructure creates them).</summary>
public sealed class StorageInitializer(IngestionSteps steps) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => steps.EnsureContainersAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
