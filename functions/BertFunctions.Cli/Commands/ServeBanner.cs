using BertFunctions.Cli.Storage;
using BertFunctions.Contracts.Storage;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// What <c>bertfn serve</c> says when it is up: where the API is, and how to feed it: the upload command, and for
/// other tools (Azure Storage Explorer, <c>az storage blob upload</c>) the blob endpoint and the connection string.
/// The local storage is Azurite's development account, whose key is public and the same on every machine (it is
/// not a secret), so printing it is what makes the tools work.
/// </summary>
internal static class ServeBanner
{
    public static string Text(Uri address, StorageConnection storage)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(storage);
        var local = storage.Setting.Contains("devstoreaccount1", StringComparison.Ordinal);
        var feed = local
            ? $"""
                blob endpoint: {storage.Blobs.Uri} (Azurite's development account; Storage Explorer: attach with the connection string)
                export AZURE_STORAGE_CONNECTION_STRING="{storage.Setting}"
                az storage blob upload -c {StorageLayout.UploadsContainer} -n labeled/DATASET/data.csv -f data.csv
              """
            : $"""
                storage: {storage.Description}
              """;
        return $"""
            bertfn: local host on {address} (storage: {storage.Description}; Ctrl+C stops)
              feed it from a second terminal:
                ./bertfn upload data.csv --dataset DATASET        (a CSV with text,label columns; --help for JSONL, folders, settings)
              or upload to the '{StorageLayout.UploadsContainer}' container yourself: labeled/DATASET/..., raw/DATASET/..., config/DATASET.json
            {feed.TrimEnd()}
              POST {address}api/training   GET {address}api/training/ID   POST {address}api/training/ID/cancel   GET {address}api/models
              POST {address}api/classify   runs page: {address}api/runs
            """;
    }
}
