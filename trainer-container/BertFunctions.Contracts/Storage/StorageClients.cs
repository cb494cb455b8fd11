using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace BertFunctions.Contracts.Storage;

/// <summary>
/// Blob and queue clients from one setting: an https:// blob account URL uses DefaultAzureCredential (a managed
/// identity in Azure, `az login` on a workstation; no keys anywhere), anything else is a connection string (Azurite
/// locally). The one place that decides how the trainer, the CLI and the hosts authenticate to storage.
/// The clients share one HTTP transport that this object owns: disposing it closes their connections, so that a local
/// Azurite told to stop finds no keep-alive connection left open and shuts down (flushing its metadata) at once,
/// instead of after the pool's idle scavenging, which kept a stopping `bertfn serve` waiting about 12 s.
/// </summary>
public sealed class StorageClients : IDisposable
{
    private readonly HttpClientTransport transport = new(new SocketsHttpHandler());

    public StorageClients(string storage)
    {
        if (string.IsNullOrWhiteSpace(storage))
        {
            throw new InvalidOperationException("no storage configured: set BERTFN_STORAGE to a blob account URL (https://ACCOUNT.blob.core.windows.net) or a connection string");
        }

        // The Functions queue trigger reads and writes base64 message bodies; both sides use it.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64, Transport = transport };
        var blobOptions = new BlobClientOptions { Transport = transport };
        if (storage.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var credential = new DefaultAzureCredential();
            var blobUri = new Uri(storage);
            Blobs = new BlobServiceClient(blobUri, credential, blobOptions);
            Queues = new QueueServiceClient(new Uri(blobUri.GetLeftPart(UriPartial.Authority).Replace(".blob.", ".queue.", StringComparison.OrdinalIgnoreCase)), credential, queueOptions);
        }
        else
        {
            Blobs = new BlobServiceClient(storage, blobOptions);
            Queues = new QueueServiceClient(storage, queueOptions);
        }
    }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>Closes the clients' connections; they must not be used after.</summary>
    public void Dispose() => transport.Dispose();
}
