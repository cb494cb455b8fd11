using BertFunctions.Cli.Storage;
using BertFunctions.LocalHost;
using BertFunctions.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace BertFunctions.Cli.Hosting;

/// <summary>
/// What <c>demo</c> and <c>compare</c> run on: the storage, the local host on a free loopback port (its warnings on
/// stderr, the trainer's log in a file) and an HTTP client for its API. Disposing stops the host, then the storage.
/// </summary>
internal sealed class LocalPipelineSession : IAsyncDisposable
{
    private LocalPipelineSession(StorageConnection storage, WebApplication app)
    {
        Storage = storage;
        App = app;
        Http = new HttpClient { BaseAddress = app.Address(), Timeout = TimeSpan.FromMinutes(2) };
    }

    public StorageConnection Storage { get; }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    /// <summary>One line for people: where the host listens and where its storage and trainer log are.</summary>
    public string Description => $"local host on {Http.BaseAddress} (storage: {Storage.Description}; trainer log: {Path.Combine(CliHome.Path, "trainer.log")})";

    /// <param name="debounce">
    /// How long uploads must be quiet before the dataset's run starts: long enough that a slow listing of thousands
    /// of uploads (a loaded machine) is not taken for the end of the upload.
    /// </param>
    public static async Task<LocalPipelineSession> StartAsync(string? storage, TimeSpan debounce, CancellationToken ct)
    {
        var connection = await StorageConnection.OpenAsync(storage, ct).ConfigureAwait(false);
        try
        {
            var app = await LocalHostLauncher.StartAsync(connection, "http://127.0.0.1:0", LogLevel.Warning, new PipelineOptions { DebounceWindow = debounce }, ct).ConfigureAwait(false);
            return new LocalPipelineSession(connection, app);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync().ConfigureAwait(false);
        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}
