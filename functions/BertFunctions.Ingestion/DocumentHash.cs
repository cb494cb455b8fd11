using System.Security.Cryptography;
using System.Text;

namespace BertFunctions.Ingestion;

/// <summary>The key of exact deduplication.</summary>
public static class DocumentHash
{
    /// <summary>SHA-256 of the UTF-8 bytes of <paramref name="cleanedText"/>, as 64 lower-case hex digits.</summary>
    public static string Of(string cleanedText)
    {
        ArgumentNullException.ThrowIfNull(cleanedText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cleanedText)));
    }
}
