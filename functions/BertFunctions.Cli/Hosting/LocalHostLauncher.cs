using BertFunctions.Cli.Storage;
using BertFunctions.LocalHost;
using BertFunctions.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Cli.Hosting;

/// <summary>Starts the local host for <c>bertfn serve</c> and <c>bertfn demo</c>: logs on stderr, the trainer beside the CLI.</summary>
internal static class LocalHostLauncher
{
    /// <summary>The trainer executable built next to the CLI (the CLI project references it).</summary>
    public static string TrainerAssembly => Path.Combine(AppContext.BaseDirectory, "bertfn-trainer.dll");

    public static Task<WebApplication> StartAsync(StorageConnection storage, string url, LogLevel level, PipelineOptions pipeline, CancellationToken cancellationToken) =>
        StartAsync(storage, url, level, pipeline, attempt: 1, cancellationToken);

    private static async Task<WebApplication> StartAsync(StorageConnection storage, string url, LogLevel level, PipelineOptions pipeline, int attempt, CancellationToken cancellationToken)
    {
        var options = new LocalHostOptions
        {
            Storage = storage.Setting,
            Url = url,
            TrainerAssembly = TrainerAssembly,
            TrainerLog = Path.Combine(CliHome.Path, "trainer.log"),
            Pipeline = pipeline,
        };
        var app = LocalPipelineHost.Build(options, logging => logging
            .SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace) // stdout is for results
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            }));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return app;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException && attempt < 3)
        {
            // The in-memory Durable backend picks a free port, then binds it: another process can take it in between.
            await app.DisposeAsync().ConfigureAwait(false);
            return await StartAsync(storage, url, level, pipeline, attempt + 1, cancellationToken).ConfigureAwait(false);
        }
    }
}
