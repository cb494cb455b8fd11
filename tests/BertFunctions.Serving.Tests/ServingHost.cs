using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using BertFunctions.Serving.Api;
using BertFunctions.Serving.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Serving.Tests;

/// <summary>
/// A minimal ASP.NET Core host on a free loopback port that maps the classify API exactly as the local host does
/// (AddServing + MapClassifyApi), each with its own package cache folder. Requests go over real HTTP.
/// </summary>
public sealed class ServingHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly DirectoryInfo cache;

    private ServingHost(WebApplication app, DirectoryInfo cache, CapturedLogs logs)
    {
        this.app = app;
        this.cache = cache;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => app.Services;

    public LiveModelCache Models => app.Services.GetRequiredService<LiveModelCache>();

    public static async Task<ServingHost> StartAsync(BlobServiceClient blobs, Action<ServingOptions> configure)
    {
        var cache = Directory.CreateTempSubdirectory("serving-tests-");
        var logs = new CapturedLogs();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(blobs);
        builder.Services.AddProblemDetails();
        builder.Services.AddServing(o =>
        {
            o.CacheDirectory = cache.FullName;
            o.RefreshInterval = TimeSpan.FromMilliseconds(200);
            o.RetryAfter = TimeSpan.FromSeconds(3);
            configure(o);
        });
        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapClassifyApi();
        await app.StartAsync();
        return new ServingHost(app, cache, logs);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string json, CancellationToken cancellationToken) =>
        PostAsync(Encoding.UTF8.GetBytes(json), "application/json", cancellationToken);

    public async Task<HttpResponseMessage> PostAsync(byte[] body, string? contentType, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Client.PostAsync("/api/classify", content, cancellationToken);
    }

    /// <summary>Posts <c>{"texts": [...]}</c> and returns the parsed answer; fails on anything but 200.</summary>
    public async Task<(ClassifyResponse Body, string VersionHeader)> ClassifyAsync(IEnumerable<string> texts, string? model, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(model is null ? new { texts = texts.ToArray() } : (object)new { texts = texts.ToArray(), model });
        using var response = await PostJsonAsync(json, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return (JsonSerializer.Deserialize<ClassifyResponse>(text, ClassifyApi.JsonOptions)!, string.Join(",", response.Headers.GetValues(ClassifyApi.ModelVersionHeader)));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        cache.Delete(recursive: true);
    }
}

/// <summary>Every log line of a host, to assert on warnings and errors.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries => [.. entries];

    public IEnumerable<string> AtLeast(LogLevel level) => entries.Where(e => e.Level >= level).Select(e => $"{e.Level} {e.Category}: {e.Message}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]")));
            }
        }
    }
}
