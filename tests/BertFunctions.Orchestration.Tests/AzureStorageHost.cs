using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.ExceptionServices;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Orchestration.Tests;

/// <summary>
/// One pipeline host as Azure runs it: the real orchestrators and activities on the Durable Task engine, whose backend
/// is the Azure Storage provider (the one Durable Functions uses by default) on Azurite, not the in-memory one. Several
/// of these on one task hub are several Functions instances: the backend, not any process, arbitrates between them.
/// The worker reaches the engine through the same gRPC sidecar the in-process test host uses.
/// </summary>
public sealed class AzureStorageHost : IAsyncDisposable
{
    private readonly IHost sidecar;
    private readonly IHost worker;

    private AzureStorageHost(IHost sidecar, IHost worker)
    {
        this.sidecar = sidecar;
        this.worker = worker;
    }

    public IServiceProvider Services => worker.Services;

    public DurableTaskClient Client => Services.GetRequiredService<DurableTaskClient>();

    public static async Task<AzureStorageHost> StartAsync(string connectionString, string taskHub, string workerId, Action<IServiceCollection> configure, CancellationToken cancellationToken)
    {
        var backend = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            TaskHubName = taskHub,
            WorkerId = workerId,
            PartitionCount = 2,
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),

            // As the Durable Functions extension configures the provider: a start refused by its dedupe statuses
            // throws (DTFx's own default drops it silently).
            ThrowExceptionOnInvalidDedupeStatus = true,
        });
        await backend.CreateIfNotExistsAsync().WaitAsync(cancellationToken);

        var port = FreePort();
        var address = $"http://127.0.0.1:{port}";
        var sidecar = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureWebHostDefaults(web => web
                .UseUrls(address)
                .ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2))
                .ConfigureServices(services =>
                {
                    services.AddGrpc();
                    services.AddSingleton(PlainTags.Wrap(backend));
                    services.AddSingleton<IOrchestrationServiceClient>(backend);
                    services.AddSingleton<TaskHubGrpcServer>();
                })
                .Configure(app => app.UseRouting().UseEndpoints(endpoints => endpoints.MapGrpcService<TaskHubGrpcServer>())))
            .Build();
        await sidecar.StartAsync(cancellationToken);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(address);
            b.AddTasks(tasks => tasks.AddPipelineTasks());
        });
        builder.Services.AddDurableTaskClient(b => b.UseGrpc(address));
        configure(builder.Services);
        var worker = builder.Build();
        await worker.StartAsync(cancellationToken);
        return new AzureStorageHost(sidecar, worker);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await worker.StopAsync(timeout.Token);
        await sidecar.StopAsync(timeout.Token);
        worker.Dispose();
        sidecar.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The sidecar of this test host's package version hands a sub-orchestration's tags to the backend as a protobuf
    /// map, which the Azure Storage provider's JSON cannot read back (the message is then retried forever); newer
    /// versions copy them into a dictionary, as this does. Everything else goes to the backend unchanged.
    /// </summary>
    public class PlainTags : DispatchProxy
    {
        private IOrchestrationService inner = null!;

        public static IOrchestrationService Wrap(IOrchestrationService inner)
        {
            var proxy = Create<IOrchestrationService, PlainTags>();
            ((PlainTags)(object)proxy).inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationService.CompleteTaskOrchestrationWorkItemAsync) && args is not null)
            {
                foreach (var messages in args.OfType<IEnumerable<TaskMessage>>())
                {
                    foreach (var started in messages.Select(m => m.Event).OfType<DurableTask.Core.History.ExecutionStartedEvent>())
                    {
                        started.Tags = started.Tags is null ? null : new Dictionary<string, string>(started.Tags, StringComparer.Ordinal);
                    }
                }
            }

            try
            {
                return targetMethod.Invoke(inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
