using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Pipeline.Tests;

/// <summary>What identifies a dataset version: the same inputs or content give the same id, any change a new one.</summary>
public sealed class DatasetVersionHashTests
{
    private static readonly IngestionRequest Request = new() { Dataset = "d" };
    private static readonly IngestionVocabulary Vocabulary = IngestionVocabulary.FromFile(Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"), lowerCase: true);
    private static readonly IngestionVocabulary OtherVocabulary = IngestionVocabulary.FromFile(Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nworld\n"), lowerCase: true);

    private static readonly (string Hash, string? Label)[] Documents = [("aa", "pos"), ("bb", "neg")];
    private static readonly string[] Assigned = [Splits.Train, Splits.Test];

    [Fact]
    public void A_version_is_a_32_character_hex_id_that_depends_only_on_its_inputs()
    {
        var version = DatasetVersionHash.OfContent(Request, Vocabulary, Documents, Assigned);

        Assert.Equal(DatasetVersionHash.VersionLength, version.Length);
        Assert.Matches("^[0-9a-f]{32}$", version);
        Assert.Equal(version, DatasetVersionHash.OfContent(Request with { Dataset = "renamed" }, IngestionVocabulary.FromFile(Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"), lowerCase: true), Documents, Assigned));
    }

    [Fact]
    public void Vocabulary_configuration_labels_and_splits_each_change_the_version()
    {
        var version = DatasetVersionHash.OfContent(Request, Vocabulary, Documents, Assigned);

        Assert.NotEqual(version, DatasetVersionHash.OfContent(Request, OtherVocabulary, Documents, Assigned));
        Assert.NotEqual(version, DatasetVersionHash.OfContent(Request with { LowerCase = !Request.LowerCase }, Vocabulary, Documents, Assigned));
        Assert.NotEqual(version, DatasetVersionHash.OfContent(Request, Vocabulary, [("aa", "pos"), ("bb", "pos")], Assigned));
        Assert.NotEqual(version, DatasetVersionHash.OfContent(Request, Vocabulary, Documents, [Splits.Train, Splits.Validation]));
        Assert.NotEqual(version, DatasetVersionHash.OfContent(Request, Vocabulary, [.. Documents.Reverse()], [.. Assigned.Reverse()]));
    }

    [Fact]
    public void Documents_and_splits_must_pair_up() =>
        Assert.Throws<ArgumentException>(() => DatasetVersionHash.OfContent(Request, Vocabulary, Documents, [Splits.Train]));

    [Fact]
    public void The_input_fingerprint_changes_with_an_upload_s_etag_and_with_the_vocabulary()
    {
        BlobItem[] inputs = [Blob("uploads/a.jsonl", 10, "0x1"), Blob("uploads/b.jsonl", 20, "0x2")];
        var fingerprint = DatasetVersionHash.OfInputs(Request, Vocabulary, inputs);

        Assert.Equal(64, fingerprint.Length);
        Assert.Equal(fingerprint, DatasetVersionHash.OfInputs(Request, Vocabulary, [Blob("uploads/a.jsonl", 10, "0x1"), Blob("uploads/b.jsonl", 20, "0x2")]));
        Assert.NotEqual(fingerprint, DatasetVersionHash.OfInputs(Request, Vocabulary, [inputs[0], Blob("uploads/b.jsonl", 20, "0x3")]));
        Assert.NotEqual(fingerprint, DatasetVersionHash.OfInputs(Request, OtherVocabulary, inputs));
    }

    [Fact]
    public void The_vocabulary_hash_is_the_sha256_of_its_file()
    {
        var bytes = Encoding.UTF8.GetBytes("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), Vocabulary.Sha256);
        Assert.Equal(bytes, Vocabulary.File.ToArray());
        Assert.Equal(Vocabulary.Sha256, Convert.ToHexStringLower(Vocabulary.Tokens.FileHash));
    }

    private static BlobItem Blob(string name, long size, string etag) =>
        BlobsModelFactory.BlobItem(name: name, properties: BlobsModelFactory.BlobItemProperties(accessTierInferred: false, contentLength: size, eTag: new ETag(etag)));
}
