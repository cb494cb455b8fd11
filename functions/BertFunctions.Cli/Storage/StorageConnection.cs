using Azure.Storage.Blobs;
using BertFunctions.Storage;

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

    private StorageConnection(StorageClients clients, string setting, string description, AzuriteEmulator? emulator)
    {
        this.clients = clients;
        Blobs = clients.Blobs;
        Setting = setting;
        Description = description;
        this.emulator = emulator;
    }

    public BlobServiceClient Blobs { get; }

    /// <summary>The storage as one setting (a connection string or an account URL), for the local host and the trainer.</summary>
    public string Setting { get; }

    /// <summary>Where the data is, for messages (never a secret).</summary>
    public string Description { get; }

    public static async Task<StorageConnection> OpenAsync(string? option, CancellationToken cancellationToken)
    {
        var value = option ?? Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value) || value == "local")
        {
            var location = Path.Combine(CliHome.Path, "azurite");
            Directory.CreateDirectory(location);
            var emulator = await AzuriteEmulator.StartAsync(location, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StorageConnection(new StorageClients(emulator.ConnectionString), emulator.ConnectionString, $"local Azurite ({location})", emulator);
        }

        try
        {
            var clients = new StorageClients(value);
            var description = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? value : clients.Blobs.Uri.GetLeftPart(UriPartial.Authority);
            return new StorageConnection(clients, value, description, null);
        }
        catch (FormatException)
        {
            throw new Io.CliException($"--storage must be 'local', an https:// account URL or a connection string (from --storage or {Variable})", Io.ExitCodes.Usage);
        }
    }

    public async ValueTask DisposeAsync()
    {
        clients.Dispose(); // our connections first: Azurite stops at once only when none is left open
        if (emulator is not null)
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
        }
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
