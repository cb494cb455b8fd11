using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace BertFunctions.Storage;

/// <summary>
/// Blob and queue clients from one setting: an https:// blob account URL uses DefaultAzureCredential (a managed
/// identity in Azure, `az login` on a workstation; no keys anywhere), anything else is a connection string (Azurite
/// locally). The one place that decides how the trainer, the CLI and the hosts authenticate to storage.
/// </summary>
public sealed class StorageClients
{
    public StorageClients(string storage)
    {
        if (string.IsNullOrWhiteSpace(storage))
        {
            throw new InvalidOperationException("no storage configured: set BERTFN_STORAGE to a blob account URL (https://ACCOUNT.blob.core.windows.net) or a connection string");
        }

        // The Functions queue trigger reads and writes base64 message bodies; both sides use it.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (storage.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var credential = new DefaultAzureCredential();
            var blobUri = new Uri(storage);
            Blobs = new BlobServiceClient(blobUri, credential);
            Queues = new QueueServiceClient(new Uri(blobUri.GetLeftPart(UriPartial.Authority).Replace(".blob.", ".queue.", StringComparison.OrdinalIgnoreCase)), credential, queueOptions);
        }
        else
        {
            Blobs = new BlobServiceClient(storage);
            Queues = new QueueServiceClient(storage, queueOptions);
        }
    }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }
}
