using System.Runtime.CompilerServices;
using System.Text;
using MimeKit;

namespace BertFunctions.Ingestion;

/// <summary>
/// One RFC 822 / MIME message per input, parsed by MimeKit. The document is the Subject (first line, a useful signal for
/// spam) then the body text: headers dropped; text/plain parts decoded from their transfer encoding and declared charset;
/// text/html reduced to text; multipart/alternative read as its text/plain part, else its richest other part; parts that
/// are not text skipped and counted in <see cref="ReadStatistics.SkippedAttachments"/>.
/// </summary>
internal sealed class EmailFormat(DocumentFinisher finisher)
{
    /// <summary>Most MIME parts a message may have (real mail has a handful); more is refused, not walked.</summary>
    public const int MaxParts = 1_000;

    /// <summary>Multiparts nested deeper than this are not parsed further (MimeKit's own default is 1,024).</summary>
    private static readonly ParserOptions Parsing = new() { MaxMimeDepth = 32 };

    public async IAsyncEnumerable<ReadItem> ReadAsync(InputContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        await SkipPreambleAsync(context, ct).ConfigureAwait(false);
        var (message, error) = await LoadAsync(context.Data, ct).ConfigureAwait(false);
        if (message is null)
        {
            yield return DocumentFinisher.Quarantine(context.Name, "", QuarantineReasons.MalformedDocument, "MIME parser: " + error);
            yield break;
        }

        var body = new StringBuilder();
        string? refused = null;
        try
        {
            var parts = message.BodyParts.Count();
            refused = parts > MaxParts ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{parts:N0} MIME parts (at most {MaxParts:N0} are read)") : null;
            if (refused is null)
            {
                await AppendAsync(message.Body, body, context, ct).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException e)
        {
            refused = e.Message; // HTML nested too deep
        }

        if (refused is not null)
        {
            yield return DocumentFinisher.Quarantine(context.Name, "", QuarantineReasons.MalformedDocument, refused);
            yield break;
        }

        var subject = message.Subject ?? "";
        if (TextCleaner.Clean(body.ToString()).Length == 0)
        {
            yield return DocumentFinisher.Quarantine(context.Name, "", QuarantineReasons.EmptyAfterCleaning, $"no text in the body (subject: '{subject}')");
            yield break;
        }

        yield return finisher.Finish(context.Name, "", subject + "\n\n" + body, null, context.FolderLabel);
    }

    /// <summary>Skips a byte order mark and an mbox <c>From </c> line, which are not part of the message.</summary>
    private static async Task SkipPreambleAsync(InputContext context, CancellationToken ct)
    {
        var head = context.Head.Span[context.BomLength..];
        var skip = context.BomLength;
        if (head.StartsWith("From "u8))
        {
            var newline = head.IndexOf((byte)'\n');
            skip += newline >= 0 ? newline + 1 : 0;
        }

        await context.Data.ReadExactlyAsync(new byte[skip], ct).ConfigureAwait(false);
    }

    private static async Task<(MimeMessage? Message, string Error)> LoadAsync(Stream stream, CancellationToken ct)
    {
        try
        {
            return (await MimeMessage.LoadAsync(Parsing, stream, ct).ConfigureAwait(false), "");
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }
    }

    private static async Task AppendAsync(MimeEntity? entity, StringBuilder text, InputContext context, CancellationToken ct)
    {
        switch (entity)
        {
            case null:
                return;
            case MessagePart { Message: { } embedded }:
                Separate(text);
                text.Append(embedded.Subject).Append("\n\n");
                await AppendAsync(embedded.Body, text, context, ct).ConfigureAwait(false);
                return;
            case Multipart alternative when alternative.ContentType.IsMimeType("multipart", "alternative"):
                await AppendAlternativeAsync(alternative, text, context, ct).ConfigureAwait(false);
                return;
            case Multipart multipart:
                foreach (var part in multipart)
                {
                    await AppendAsync(part, text, context, ct).ConfigureAwait(false);
                }

                return;
            case TextPart part when IsReadable(part):
                Separate(text);
                text.Append(await DecodeAsync(part, part.IsHtml, context, ct).ConfigureAwait(false));
                return;
            case MimePart part when TextFileKind(part) is { } isHtml:
                // Mailers that label every attachment application/octet-stream: the file name says it is text.
                Separate(text);
                text.Append(await DecodeAsync(part, isHtml, context, ct).ConfigureAwait(false));
                return;
            default:
                context.Stats.SkippedAttachments++;
                return;
        }
    }

    private static async Task AppendAlternativeAsync(Multipart alternative, StringBuilder text, InputContext context, CancellationToken ct)
    {
        // Prefer the author's plain text; otherwise the last (richest, RFC 2046) alternative that has any text.
        foreach (var plain in alternative.OfType<TextPart>().Where(p => p.IsPlain))
        {
            var decoded = await DecodeAsync(plain, isHtml: false, context, ct).ConfigureAwait(false);
            if (TextCleaner.Clean(decoded).Length > 0)
            {
                Separate(text);
                text.Append(decoded);
                return;
            }
        }

        for (var i = alternative.Count - 1; i >= 0; i--)
        {
            var candidate = new StringBuilder();
            await AppendAsync(alternative[i], candidate, context, ct).ConfigureAwait(false);
            if (TextCleaner.Clean(candidate.ToString()).Length > 0)
            {
                Separate(text);
                text.Append(candidate);
                return;
            }
        }
    }

    private static bool IsReadable(TextPart part) =>
        part.IsPlain || part.IsHtml || part.IsEnriched || part.ContentType.IsMimeType("text", "richtext");

    /// <summary>For a generic binary part whose file name says text: whether it is HTML; <see langword="null"/> when it is not text.</summary>
    private static bool? TextFileKind(MimePart part)
    {
        if (!part.ContentType.IsMimeType("application", "octet-stream"))
        {
            return null;
        }

        return Path.GetExtension(part.FileName ?? "").ToLowerInvariant() switch
        {
            ".txt" => false,
            ".htm" or ".html" => true,
            _ => null,
        };
    }

    private static async Task<string> DecodeAsync(MimePart part, bool isHtml, InputContext context, CancellationToken ct)
    {
        if (part.Content is null)
        {
            return "";
        }

        using var bytes = new MemoryStream();
        await part.Content.DecodeToAsync(bytes, ct).ConfigureAwait(false);
        var span = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        // Undeclared (or "us-ascii") 8-bit text: UTF-8 when it is valid, else the charset such mail was nearly always in.
        var encoding = context.Charsets.FromCharset(part.ContentType.Charset)
            ?? (Charsets.IsValidUtf8(span) ? context.Charsets.Utf8 : context.Charsets.Windows1252);
        var text = Charsets.Decode(encoding, span);
        return isHtml ? HtmlToText.Convert(text) : text;
    }

    private static void Separate(StringBuilder text)
    {
        if (text.Length > 0)
        {
            text.Append("\n\n");
        }
    }
}
