using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration;
using BertFunctions.Orchestration.Api;
using BertFunctions.Serving;
using BertFunctions.Serving.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.DurableTask.Worker.Grpc.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.LocalHost;

/// <summary>
/// Builds the local host: an ASP.NET Core app on loopback serving the Functions app's HTTP routes, the pipeline's
/// orchestrators and activities on the Durable Task in-process engine (the Functions host cannot run here), and the
/// local stand-ins for the triggers (upload watcher, training-event pump) and for the GPU job (trainer child process).
/// </summary>
public static class LocalPipelineHost
{
    public static WebApplication Build(LocalHostOptions options, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = new Uri(options.Url);
        if (!uri.IsLoopback)
        {
            throw new ArgumentException($"the local host listens on loopback only (it has no authentication); got {options.Url}", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);

        var storage = new StorageClients(options.Storage);
        builder.Services.AddSingleton(storage);
        builder.Services.AddSingleton(storage.Blobs);
        builder.Services.AddSingleton(storage.Queues);
        builder.Services.AddSingleton<IOptions<LocalHostOptions>>(Options.Create(options));
        builder.Services.AddSingleton<IOptions<PipelineOptions>>(Options.Create(options.Pipeline));
        builder.Services.AddProblemDetails();
        builder.Services.AddPipeline();
        builder.Services.AddServing(serving =>
        {
            serving.DefaultModel = options.Serving.DefaultModel;
            serving.CacheDirectory = options.Serving.CacheDirectory;
            serving.RefreshInterval = options.Serving.RefreshInterval;
            serving.PreloadDefaultModel = options.Serving.PreloadDefaultModel;
        });
        builder.Services.AddInMemoryDurableTask(tasks => tasks.AddPipelineTasks());
        // The worker treats 2 minutes without a message on its work-item stream as a silent disconnect and logs a warning
        // as it reconnects. A real backend sends health pings to keep the stream alive; the in-process engine does not,
        // so an idle host warned every 2 minutes about a channel that cannot break (it is in this process): detection off.
        builder.Services.ConfigureAll<GrpcDurableTaskWorkerOptions>(worker => worker.SetSilentDisconnectTimeout(TimeSpan.Zero));

        // After the engine's own hosted services, so that they start first.
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddHostedService<RunResumer>();
        builder.Services.AddHostedService<TrainingEventPump>();
        builder.Services.AddHostedService<UploadWatcher>();
        builder.Services.AddHostedService<TrainerSupervisor>();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // Once every service has stopped, close the storage connections: a local Azurite stopped next finds none open
        // and shuts down (flushing its metadata) at once. The container would not: it was handed the instance.
        app.Lifetime.ApplicationStopped.Register(storage.Dispose);
        app.UseExceptionHandler();
        app.Use(LoopbackRequestGuard.InvokeAsync); // no authentication here: refuse DNS rebinding and cross-site requests
        app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
        app.MapTrainingApi();
        app.MapClassifyApi();
        return app;
    }

    /// <summary>The address the app listens on once started (the real port when the options asked for port 0).</summary>
    public static Uri Address(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return new Uri(addresses?.FirstOrDefault() ?? throw new InvalidOperationException("the local host is not listening yet"));
    }
}
