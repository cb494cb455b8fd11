using BertFunctions.Cli.Commands;
using BertFunctions.Cli.Storage;

namespace BertFunctions.Cli.Hosting;

/// <summary>
/// Where <c>bertfn upload</c> puts files and watches the run: the local home (through <c>bertfn serve</c>'s host when
/// it runs, else a host started for this command, so that the run happens while it is followed), or an Azure
/// account, whose deployed app runs the pipeline and is followed through <c>--endpoint</c>. Never a local host on an
/// Azure account: the deployed app already watches it, and two pipelines would race for the same uploads.
/// </summary>
internal sealed class UploadTarget : IAsyncDisposable
{
    private readonly LocalPipelineSession? session;
    private readonly StorageConnection? storage;

    private UploadTarget(LocalPipelineSession? session, StorageConnection? storage, HttpClient? http, string description)
    {
        this.session = session;
        this.storage = storage;
        Http = http;
        Description = description;
    }

    public StorageConnection Storage => session?.Storage ?? storage!;

    /// <summary>The API of the host that runs the pipeline on this storage; null when there is none to follow.</summary>
    public HttpClient? Http { get; }

    /// <summary>True when no host outlives this command: the run starts at the next 'bertfn serve'.</summary>
    public bool StopsWithCommand => session is null && storage is not null && Http is null && storage.SharedWith is null;

    public string Description { get; }

    /// <summary>This command started the local host, which stops with it: the model is served by the next 'bertfn serve'.</summary>
    public bool HostStopsAfter => session?.OwnsHost == true;

    /// <param name="noFollow">The run will not be followed: no local host is started just to stop again.</param>
    public static async Task<UploadTarget> OpenAsync(string? storageOption, string? endpoint, bool noFollow, TextWriter messages, CancellationToken ct)
    {
        var option = storageOption ?? Environment.GetEnvironmentVariable(StorageConnection.Variable);
        var local = string.IsNullOrWhiteSpace(option) || option == "local";
        if (!local || endpoint is not null)
        {
            var remote = await StorageConnection.OpenAsync(option, "upload", messages, ct).ConfigureAwait(false);
            var http = endpoint is null ? null : await RunsHost.ConnectAsync(new RunsSettings { Endpoint = endpoint }, ct).ConfigureAwait(false);
            return new UploadTarget(null, remote, http, $"uploading to {remote.Description}{(http is null ? "" : $"; following on {http.BaseAddress}")}");
        }

        if (noFollow)
        {
            var connection = await StorageConnection.OpenAsync(option, "upload", TextWriter.Null, ct).ConfigureAwait(false);
            var host = connection.SharedWith?.Host;
            var http = host is null ? null : new HttpClient { BaseAddress = new Uri(host) };
            return new UploadTarget(null, connection, http, $"uploading to {connection.Description}");
        }

        var started = await LocalPipelineSession.StartAsync(option, "upload", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return new UploadTarget(started, null, started.Http, started.OwnsHost
            ? $"{started.Description}; no 'bertfn serve' runs, so this command runs the pipeline until the run ends"
            : $"using {started.Description}");
    }

    public async ValueTask DisposeAsync()
    {
        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            Http?.Dispose();
            if (storage is not null)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
