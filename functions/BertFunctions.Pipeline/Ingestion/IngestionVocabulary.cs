using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Datasets;
using BertFunctions.Tokenization;

namespace BertFunctions.Pipeline.Ingestion;

/// <summary>
/// The vocabulary an ingestion tokenizes with, loaded once: its <c>vocab.txt</c> bytes (hashed into the fingerprint
/// and the version, copied into the version), and the tokenizer built from them. The local runner loads it once per
/// run and hands it to every step; a Durable activity runs alone and loads it for itself.
/// </summary>
public sealed class IngestionVocabulary
{
    private readonly byte[] _file;
    private readonly Lazy<TokenVocabulary> _tokens;

    private IngestionVocabulary(byte[] file, bool lowerCase)
    {
        _file = file;
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        // Planning and consolidation need only the hash; the tokenizer is built when a step first tokenizes.
        _tokens = new Lazy<TokenVocabulary>(() => TokenVocabulary.Load(_file, new BertTokenizerOptions { LowerCase = lowerCase }));
    }

    /// <summary>The bytes of the <c>vocab.txt</c>, as a version stores them.</summary>
    public BinaryData File => BinaryData.FromBytes(_file);

    /// <summary>Hex SHA-256 of <see cref="File"/>.</summary>
    public string Sha256 { get; }

    /// <summary>The tokenizer and ids of the vocabulary (built on first use).</summary>
    public TokenVocabulary Tokens => _tokens.Value;

    /// <summary>The vocabulary from the bytes of a <c>vocab.txt</c>.</summary>
    public static IngestionVocabulary FromFile(byte[] file, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new IngestionVocabulary(file, lowerCase);
    }

    /// <summary>The vocabulary a request names: the bundled one, or a <c>vocab.txt</c> blob in the datasets container.</summary>
    public static async Task<IngestionVocabulary> LoadAsync(BlobServiceClient blobs, IngestionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Vocabulary == IngestionRequest.BundledVocabulary)
        {
            return FromFile(Pretrained.BundledMiniLm.ReadVocabularyBytes(), request.LowerCase);
        }

        var blob = blobs.GetBlobContainerClient(StorageLayout.DatasetsContainer).GetBlobClient(BlobNames.RelativePath(request.Vocabulary));
        try
        {
            return FromFile((await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray(), request.LowerCase);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new IngestionException($"vocabulary '{StorageLayout.DatasetsContainer}/{request.Vocabulary}' not found");
        }
    }
}
