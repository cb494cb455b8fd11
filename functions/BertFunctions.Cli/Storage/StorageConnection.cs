using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Cli.Storage;

/// <summary>
/// The Blob Storage the CLI works against: an account URL (identity-based, DefaultAzureCredential), a connection
/// string, or by default a local Azurite whose data persists under the CLI's home folder between commands.
/// </summary>
public sealed class StorageConnection : IAsyncDisposable
{
    /// <summary>Environment variable with the default for <c>--storage</c>.</summary>
    public const string Variable = "BERTFN_STORAGE";

    private readonly StorageClients clients;
    private readonly AzuriteEmulator? emulator;
    private readonly LocalHome? home;

    private StorageConnection(StorageClients clients, string setting, string description, AzuriteEmulator? emulator = null, LocalHome? home = null, HomeHolder? sharedWith = null)
    {
        this.clients = clients;
        Blobs = clients.Blobs;
        Setting = setting;
        Description = description;
        this.emulator = emulator;
        this.home = home;
        SharedWith = sharedWith;
    }

    public BlobServiceClient Blobs { get; }

    /// <summary>The storage as one setting (a connection string or an account URL), for the local host and the trainer.</summary>
    public string Setting { get; }

    /// <summary>Where the data is, for messages (never a secret).</summary>
    public string Description { get; }

    /// <summary>The process that holds the local home and whose Azurite this command uses; null when this command holds it, or the storage is not local.</summary>
    public HomeHolder? SharedWith { get; }

    /// <summary>How long a command waits for the process that holds the home to publish its storage (it may be starting Azurite).</summary>
    public static readonly TimeSpan HolderWait = TimeSpan.FromSeconds(30);

    /// <summary>Tells the other commands on this home where this command's host listens (when this command holds the home).</summary>
    public void PublishHost(Uri host) => home?.PublishHost(host);

    /// <param name="command">The bertfn command opening it, for the messages of the other commands on the same home.</param>
    /// <param name="messages">Where to say that the storage is another command's (stderr).</param>
    public static async Task<StorageConnection> OpenAsync(string? option, string command, TextWriter messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var value = option ?? Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value) || value == "local")
        {
            var local = await OpenLocalAsync(command, cancellationToken).ConfigureAwait(false);
            if (local.SharedWith is not null)
            {
                await messages.WriteLineAsync($"bertfn: using {local.Description}").ConfigureAwait(false);
            }

            return local;
        }

        try
        {
            var clients = new StorageClients(value);
            var description = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? value : clients.Blobs.Uri.GetLeftPart(UriPartial.Authority);
            return new StorageConnection(clients, value, description);
        }
        catch (FormatException)
        {
            throw new Io.CliException($"--storage must be 'local', an https:// account URL or a connection string (from --storage or {Variable})", Io.ExitCodes.Usage);
        }
    }

    /// <summary>
    /// The local home's Azurite: started here when no other process holds the home (<see cref="LocalHome"/>), else the
    /// holder's, so that a home never has two emulators and an upload reaches the host that watches it.
    /// </summary>
    private static async Task<StorageConnection> OpenLocalAsync(string command, CancellationToken cancellationToken)
    {
        var folder = CliHome.Path;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (LocalHome.TryAcquire(folder, command) is { } home)
            {
                try
                {
                    var location = Path.Combine(folder, "azurite");
                    Directory.CreateDirectory(location);
                    var emulator = await AzuriteEmulator.StartAsync(location, cancellationToken: cancellationToken).ConfigureAwait(false);
                    home.PublishStorage(emulator.ConnectionString);
                    return new StorageConnection(new StorageClients(emulator.ConnectionString), emulator.ConnectionString, $"local Azurite ({location})", emulator, home);
                }
                catch
                {
                    home.Dispose();
                    throw;
                }
            }

            // Another process holds the home: use its storage, once it says where that is.
            if (await LocalHome.ReadHolderAsync(folder, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false) is { Storage: { } storage } holder)
            {
                var clients = new StorageClients(storage);
                try
                {
                    await clients.Blobs.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or AggregateException)
                {
                    clients.Dispose();
                    throw new Io.CliException($"the local home {folder} is held by 'bertfn {holder.Command}' (pid {holder.Pid}), whose storage does not answer: wait for it to end or stop it", Io.ExitCodes.Unavailable, e);
                }

                return new StorageConnection(clients, storage, $"the local Azurite of 'bertfn {holder.Command}' (pid {holder.Pid}, {folder})", sharedWith: holder);
            }

            if (clock.Elapsed >= HolderWait)
            {
                throw new Io.CliException($"the local home {folder} is held by another process that has not said where its storage is (home.lock): wait for it to end, or set BERTFN_HOME to another folder", Io.ExitCodes.Unavailable);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        clients.Dispose(); // our connections first: Azurite stops at once only when none is left open
        if (emulator is not null)
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
        }

        home?.Dispose(); // the home is free once its emulator has flushed and stopped
    }
}

/// <summary>The CLI's own folder for local state (Azurite data): <c>BERTFN_HOME</c>, else <c>~/.bertfn</c>.</summary>
public static class CliHome
{
    public static string Path =>
        Environment.GetEnvironmentVariable("BERTFN_HOME") is { Length: > 0 } home
            ? home
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bertfn");
}
