using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Contracts.Tests;

public sealed class AzuriteEmulatorTests
{
    [Fact]
    public async Task Azurite_starts_on_free_ports_and_serves_blobs_and_queues()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = await AzuriteEmulator.StartAsync(cancellationToken: ct);
        await using var second = await AzuriteEmulator.StartAsync(cancellationToken: ct);
        Assert.NotEqual(azurite.BlobPort, second.BlobPort);

        var container = new BlobContainerClient(azurite.ConnectionString, "test");
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        await container.UploadBlobAsync("a/b.txt", BinaryData.FromString("hello"), ct);
        var downloaded = await container.GetBlobClient("a/b.txt").DownloadContentAsync(ct);
        Assert.Equal("hello", downloaded.Value.Content.ToString());

        var queue = new QueueClient(azurite.ConnectionString, "jobs");
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        await queue.SendMessageAsync("job-1", ct);
        var received = await queue.ReceiveMessageAsync(cancellationToken: ct);
        Assert.Equal("job-1", received.Value.MessageText);

        // The second emulator is a separate store.
        var other = new BlobContainerClient(second.ConnectionString, "test");
        Assert.False(await other.ExistsAsync(ct));
    }
}
