using System.Text;
using BertFunctions.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>
/// The local host exactly as <c>bertfn serve</c> builds it (pipeline engine, upload watcher and event pump included;
/// no trainer child), on a free loopback port, with the bench model as the default and its own empty package cache.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly DirectoryInfo cache;

    private BenchHost(WebApplication app, DirectoryInfo cache, HostLogs logs, TimeSpan build, TimeSpan start)
    {
        this.app = app;
        this.cache = cache;
        Logs = logs;
        Address = app.Address();
        BuildTime = build;
        StartTime = start;
    }

    /// <summary>LocalPipelineHost.Build: configuration, DI registrations, the storage clients.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>StartAsync: hosted services (Durable engine, storage initializer, watchers, model preload kick-off) and Kestrel.</summary>
    public TimeSpan StartTime { get; }

    public Uri Address { get; }

    public HostLogs Logs { get; }

    /// <summary>The host's package cache: <c>{name}/{version}/</c> folders.</summary>
    public string CacheDirectory => cache.FullName;

    /// <param name="storage">Azurite's connection string.</param>
    /// <param name="cache">An empty folder for the package cache.</param>
    /// <param name="intraOpThreads">Serving:IntraOpThreads (0: serving's default, ONNX Runtime chooses).</param>
    public static async Task<BenchHost> StartAsync(string storage, DirectoryInfo cache, int intraOpThreads = 0)
    {
        var logs = new HostLogs();
        var building = System.Diagnostics.Stopwatch.GetTimestamp();
        var app = LocalPipelineHost.Build(
            new LocalHostOptions
            {
                Storage = storage,
                Url = "http://127.0.0.1:0",
                TrainerAssembly = null,
                Serving = new BertFunctions.Serving.ServingOptions { DefaultModel = BenchModels.Name, CacheDirectory = cache.FullName },
            },
            logging => logging.AddProvider(logs),
            services => services.Configure<BertFunctions.Serving.ServingOptions>(o => o.IntraOpThreads = intraOpThreads)); // the local host passes on only some settings
        var starting = System.Diagnostics.Stopwatch.GetTimestamp();
        await app.StartAsync().ConfigureAwait(false);
        return new BenchHost(app, cache, logs, System.Diagnostics.Stopwatch.GetElapsedTime(building, starting), System.Diagnostics.Stopwatch.GetElapsedTime(starting));
    }

    /// <summary>An HTTP client of its own (its own connection), as one of many independent callers would have.</summary>
    public HttpClient NewClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = Address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary><c>{"text": ...}</c> or <c>{"texts": [...]}</c>, serialised once so that the client's JSON work is not timed.</summary>
    public static byte[] Body(IReadOnlyList<string> texts) => texts.Count == 1
        ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { text = texts[0] })
        : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { texts });

    public static async Task<(int Status, string? Version, byte[] Body)> PostAsync(HttpClient client, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri("/api/classify", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var version = response.Headers.TryGetValues(BertFunctions.Serving.Api.ClassifyApi.ModelVersionHeader, out var values) ? values.FirstOrDefault() : null;
        return ((int)response.StatusCode, version, bytes);
    }

    /// <summary>GET /api/classify/health: the same HTTP stack and clients without tokenization, inference or a request body.</summary>
    public static async Task<(int Status, string? Version)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/classify/health", UriKind.Relative)).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return ((int)response.StatusCode, null);
    }

    public static string Describe(int status, byte[] body) => $"{status}: {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}";

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        cache.Refresh();
        if (cache.Exists)
        {
            cache.Delete(recursive: true);
        }
    }
}
