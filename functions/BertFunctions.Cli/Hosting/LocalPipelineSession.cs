using BertFunctions.Cli.Io;
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
    private readonly WebApplication? app;

    private LocalPipelineSession(StorageConnection storage, WebApplication? app, Uri address)
    {
        Storage = storage;
        this.app = app;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public StorageConnection Storage { get; }

    public HttpClient Http { get; }

    /// <summary>Whether this command started the host (it stops when the command ends), rather than using serve's.</summary>
    public bool OwnsHost => app is not null;

    /// <summary>One line for people: where the host listens and where its storage and trainer log are.</summary>
    public string Description => app is null
        ? $"the local host of 'bertfn {Storage.SharedWith!.Command}' (pid {Storage.SharedWith.Pid}) on {Http.BaseAddress}, which holds {CliHome.Path}"
        : $"local host on {Http.BaseAddress} (storage: {Storage.Description}; trainer log: {Path.Combine(CliHome.Path, "trainer.log")})";

    /// <summary>
    /// Starts a host, or, when another command already holds the local home with a host (<c>bertfn serve</c> in a
    /// second terminal), uses that one: one home has one Azurite and one host, so what this command uploads reaches
    /// the host that watches it.
    /// </summary>
    /// <param name="command">This command's name, for the other commands on the home.</param>
    /// <param name="debounce">
    /// How long uploads must be quiet before the dataset's run starts: long enough that a slow listing of thousands
    /// of uploads (a loaded machine) is not taken for the end of the upload.
    /// </param>
    public static async Task<LocalPipelineSession> StartAsync(string? storage, string command, TimeSpan debounce, CancellationToken ct)
    {
        var connection = await StorageConnection.OpenAsync(storage, command, TextWriter.Null, ct).ConfigureAwait(false);
        try
        {
            if (connection.SharedWith is { } holder)
            {
                return holder.Host is { } host
                    ? new LocalPipelineSession(connection, null, new Uri(host))
                    : throw new CliException($"the local home {CliHome.Path} is in use by 'bertfn {holder.Command}' (pid {holder.Pid}), which runs no host: wait for it to end, or start 'bertfn serve' first so that every command shares its host", ExitCodes.Unavailable);
            }

            var app = await LocalHostLauncher.StartAsync(connection, "http://127.0.0.1:0", LogLevel.Warning, new PipelineOptions { DebounceWindow = debounce }, ct).ConfigureAwait(false);
            connection.PublishHost(app.Address());
            return new LocalPipelineSession(connection, app, app.Address());
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
        if (app is not null)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}
