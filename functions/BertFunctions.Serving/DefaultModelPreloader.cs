using BertFunctions.Serving.Live;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving;

/// <summary>Starts loading the default model when the host starts, so the first request finds it loaded (or loading) rather than starting the download.</summary>
internal sealed class DefaultModelPreloader(LiveModelCache models, IOptions<ServingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value is { PreloadDefaultModel: true, DefaultModel: { } model })
        {
            models.Preload(model); // in the background: the host does not wait for a download to start listening
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
