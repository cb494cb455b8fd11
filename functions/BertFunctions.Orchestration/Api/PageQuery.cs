using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace BertFunctions.Orchestration.Api;

/// <summary>
/// A page of a listing: <c>?limit=N</c> (1 to <see cref="MaxLimit"/>, default <see cref="DefaultLimit"/>) and
/// <c>?cursor=</c>, the opaque <c>next</c> of the page before. Listings read only what their page shows, so a
/// container of ten thousand runs costs a request the same as one of ten.
/// </summary>
public sealed record PageQuery(int Limit, PageCursor? After)
{
    /// <summary>Items per page when the request does not say.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most items one page holds.</summary>
    public const int MaxLimit = 200;

    /// <summary>The first page at the default size.</summary>
    public static PageQuery First { get; } = new(DefaultLimit, null);

    /// <summary>Reads <c>limit</c> and <c>cursor</c>; false with a message a 400 can carry when either is malformed.</summary>
    public static bool TryParse(IQueryCollection query, out PageQuery page, out string error)
    {
        ArgumentNullException.ThrowIfNull(query);
        page = First;
        error = "";
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"limit must be a whole number from 1 to {MaxLimit}");
            return false;
        }

        PageCursor? after = null;
        if (query.TryGetValue("cursor", out var cursorText) && !PageCursor.TryDecode(cursorText.ToString(), out after))
        {
            error = "cursor is not one this API gave: pass the 'next' of the page before, unchanged";
            return false;
        }

        page = new PageQuery(limit, after);
        return true;
    }

    /// <summary>The relative link to the page after one that ended at <paramref name="next"/>, for a <c>Link</c> header.</summary>
    public string NextLink(string path, PageCursor next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return string.Create(CultureInfo.InvariantCulture, $"<{path}?limit={Limit}&cursor={next.Encode()}>; rel=\"next\"");
    }
}

/// <summary>
/// Where a page ended: the last item's time (newest first; <see cref="DateTimeOffset.MinValue"/> for listings in name
/// order) and its blob or model name, which breaks ties. Encoded as base64url so it travels in a query string as is.
/// </summary>
public sealed record PageCursor(DateTimeOffset Modified, string Name)
{
    /// <summary>True when an item (<paramref name="modified"/>, <paramref name="name"/>) comes after this cursor, newest first.</summary>
    public bool Precedes(DateTimeOffset modified, string name) =>
        modified < Modified || (modified == Modified && string.CompareOrdinal(name, Name) > 0);

    /// <summary>The cursor as a query-string value.</summary>
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Modified.UtcTicks}|{Name}")));

    /// <summary>Reads a value <see cref="Encode"/> made; false for anything else.</summary>
    public static bool TryDecode(string text, out PageCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 1024)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var bar = decoded.IndexOf('|', StringComparison.Ordinal);
            if (bar < 1 || !long.TryParse(decoded.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return false;
            }

            cursor = new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), decoded[(bar + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
