using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BertFunctions.Corpora;

namespace BertFunctions.Cli.Demo;

/// <summary>
/// A deterministic, balanced sample of the Spam Assassin corpus: the same emails on every machine,
/// split into train and test by a hash of the file name (stable when the sample size changes).
/// </summary>
public static class SpamHamSample
{
    /// <summary>Takes <paramref name="perLabel"/> ham (easy and hard) and as many spam emails; one in three goes to test.</summary>
    public static IReadOnlyList<LabeledText> Load(DirectoryInfo spamAssassinData, int perLabel)
    {
        var byLabel = SpamAssassinCorpus.ReadAll(spamAssassinData)
            .Select(e => (Email: e, Key: StableHash(e.Group + "/" + e.FileName)))
            .GroupBy(x => x.Email.Label)
            .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Key).Take(perLabel).ToList());

        return byLabel.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => kv.Value)
            .Select(x => new LabeledText(
                x.Email.Group + "/" + x.Email.FileName,
                SpamAssassinCorpus.Body(x.Email.Raw),
                x.Email.Label,
                IsTest: x.Key % 3 == 0))
            .ToList();
    }

    private static ulong StableHash(string s) => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}
