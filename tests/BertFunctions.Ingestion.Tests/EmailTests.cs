using System.Text;

namespace BertFunctions.Ingestion.Tests;

public sealed class EmailTests
{
    private static async Task<SourceDocument> ReadOneAsync(string message, string name = "mail/1.eml")
    {
        var result = await Reading.ReadAsync(name, message);
        return Assert.Single(result.Documents);
    }

    [Fact]
    public async Task Headers_go_the_subject_stays_as_the_first_line()
    {
        var document = await ReadOneAsync("From: a@example.com\r\nTo: b@example.com\r\nSubject: Meeting  notes\r\nMessage-ID: <1@x>\r\n\r\nHi Bob,\r\n\r\nSee you at 10.\r\n");
        Assert.Equal("Meeting notes\n\nHi Bob,\n\nSee you at 10.", document.Text);
    }

    [Fact]
    public async Task A_txt_file_with_an_mbox_from_line_is_sniffed_as_email()
    {
        var document = await ReadOneAsync("From someone@example.com  Thu Aug 22 13:17:22 2002\nReturn-Path: <someone@example.com>\nReceived: from x by y\n\tfor <z>; Thu, 22 Aug 2002\nSubject: hello\n\nbody text\n", "spam-1/00001.abc.txt");
        Assert.Equal("hello\n\nbody text", document.Text);
    }

    [Fact]
    public async Task Text_that_only_mentions_a_header_word_is_not_email()
    {
        var result = await Reading.ReadAsync("notes.txt", "Subject: my thesis\nIt is about mail.\n");
        Assert.Equal("Subject: my thesis\nIt is about mail.", Assert.Single(result.Documents).Text);
    }

    [Fact]
    public async Task Base64_body_is_decoded()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße aus Köln"));
        var document = await ReadOneAsync($"Subject: b64\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{body}\n");
        Assert.Equal("b64\n\nGrüße aus Köln", document.Text);
    }

    [Fact]
    public async Task Quoted_printable_iso_8859_1_body_is_decoded()
    {
        var document = await ReadOneAsync("Subject: qp\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 cr=E8me, a very long line that is soft=\n wrapped.\n");
        Assert.Equal("qp\n\nCafé crème, a very long line that is soft wrapped.", document.Text);
    }

    [Fact]
    public async Task Windows_1252_body_keeps_smart_quotes_and_the_euro()
    {
        byte[] raw = [.. "Subject: w\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n"u8, 0x93, .. "quoted"u8, 0x94, .. " costs 5"u8, 0x80, .. "\n"u8];
        var result = await Reading.ReadAsync(new IngestionOptions(), "w.eml", raw);
        Assert.Equal("w\n\n\u201Cquoted\u201D costs 5\u20AC", Assert.Single(result.Documents).Text);
        Assert.Equal(0, result.Stats.InvalidBytesReplaced);
    }

    [Fact]
    public async Task Undeclared_8_bit_text_is_read_as_windows_1252()
    {
        byte[] raw = [.. "Subject: u\n\nna"u8, 0xEF, .. "ve r"u8, 0xE9, .. "sum"u8, 0xE9, .. "\n"u8];
        var result = await Reading.ReadAsync(new IngestionOptions(), "u.eml", raw);
        Assert.Equal("u\n\nnaïve résumé", Assert.Single(result.Documents).Text);
    }

    [Fact]
    public async Task Koi8_r_and_big5_bodies_are_decoded()
    {
        var koi8 = Encoding.GetEncoding("koi8-r").GetBytes("Привет, мир");
        var big5 = Encoding.GetEncoding("big5").GetBytes("中文測試");
        byte[] raw = [.. "Subject: charsets\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"u8, .. koi8,
            .. "\n--B\nContent-Type: text/plain; charset=big5\nContent-Transfer-Encoding: 8bit\n\n"u8, .. big5, .. "\n--B--\n"u8];
        var result = await Reading.ReadAsync(new IngestionOptions(), "c.eml", raw);
        Assert.Equal("charsets\n\nПривет, мир\n\n中文測試", Assert.Single(result.Documents).Text);
    }

    [Fact]
    public async Task Multipart_alternative_prefers_the_plain_text()
    {
        const string message = """
            Subject: alt
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="XYZ"

            --XYZ
            Content-Type: text/plain; charset=us-ascii

            Plain version.
            --XYZ
            Content-Type: text/html; charset=us-ascii

            <p>HTML version.</p>
            --XYZ--
            """;
        Assert.Equal("alt\n\nPlain version.", (await ReadOneAsync(message)).Text);
    }

    [Fact]
    public async Task Html_nested_beyond_the_limit_is_quarantined_not_a_stack_overflow()
    {
        // 200,000 nested elements: walked recursively, this ended the whole process before the limit.
        var html = string.Concat(Enumerable.Repeat("<div>", 200_000)) + "deep" + string.Concat(Enumerable.Repeat("</div>", 200_000));
        var result = await Reading.ReadAsync("mail/deep.eml", $"Subject: deep\nContent-Type: text/html; charset=us-ascii\n\n{html}\n");

        Assert.Empty(result.Documents);
        Assert.Equal($"HTML nested deeper than {HtmlToText.MaxDepth} elements", result.SingleQuarantine(QuarantineReasons.MalformedDocument).Detail);
        // Nesting within the limit still reads.
        var fine = string.Concat(Enumerable.Repeat("<div>", 100)) + "shallow" + string.Concat(Enumerable.Repeat("</div>", 100));
        Assert.Equal("fine\n\nshallow", (await ReadOneAsync($"Subject: fine\nContent-Type: text/html\n\n{fine}\n")).Text);
    }

    [Fact]
    public async Task A_message_of_more_mime_parts_than_the_limit_is_quarantined()
    {
        var parts = new StringBuilder("Subject: many\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n");
        for (var i = 0; i <= EmailFormat.MaxParts; i++)
        {
            parts.Append("--B\nContent-Type: text/plain\n\npart ").Append(i).Append('\n');
        }

        parts.Append("--B--\n");
        var result = await Reading.ReadAsync("mail/many.eml", parts.ToString());

        Assert.Empty(result.Documents);
        Assert.Equal("1,001 MIME parts (at most 1,000 are read)", result.SingleQuarantine(QuarantineReasons.MalformedDocument).Detail);
    }

    [Fact]
    public async Task Html_only_mail_becomes_readable_text()
    {
        const string message = """
            Subject: =?utf-8?B?U3DDpGNpYWwgb2ZmZXI=?=
            Content-Type: text/html; charset="windows-1252"
            Content-Transfer-Encoding: quoted-printable

            <html><head><title>Ignored title</title><style>p {color: red}</style>
            <script>var x =3D "<b>no</b>";</script></head>
            <body><h1>Save&nbsp;up to 70%</h1><p>Fish &amp; chips for =A35 &lt;today&gt;!<br>Call
            now</p><!-- hidden comment --><table><tr><td>cell one</td><td>cell two</td></tr></table>
            <div>caf&eacute; &#8364;9 &#x263A;</div></body></html>
            """;
        var text = (await ReadOneAsync(message)).Text;

        Assert.Equal("Späcial offer\n\nSave up to 70%\n\nFish & chips for £5 <today>!\nCall now\n\ncell one cell two\n\ncafé €9 ☺", text);
        Assert.DoesNotContain("color", text, StringComparison.Ordinal);
        Assert.DoesNotContain("=3D", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attachments_that_are_not_text_are_skipped_and_counted()
    {
        const string message = """
            Subject: with attachment
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="B"

            --B
            Content-Type: text/plain

            See attached.
            --B
            Content-Type: image/png; name="x.png"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="x.png"

            iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
            --B
            Content-Type: text/plain; name="notes.txt"
            Content-Disposition: attachment; filename="notes.txt"

            Attached notes.
            --B--
            """;
        var result = await Reading.ReadAsync("a.eml", message);
        Assert.Equal("with attachment\n\nSee attached.\n\nAttached notes.", Assert.Single(result.Documents).Text);
        Assert.Equal(1, result.Stats.SkippedAttachments);
    }

    [Fact]
    public async Task A_message_with_no_text_is_empty_after_cleaning()
    {
        const string message = """
            Subject: only a picture
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="B"

            --B
            Content-Type: text/html

            <html><body><img src="http://example.com/x.gif"></body></html>
            --B
            Content-Type: application/octet-stream; name="x.exe"
            Content-Transfer-Encoding: base64

            TVqQAAMAAAAEAAAA
            --B--
            """;
        var entry = (await Reading.ReadAsync("p.eml", message)).SingleQuarantine(QuarantineReasons.EmptyAfterCleaning);
        Assert.Contains("only a picture", entry.Detail, StringComparison.Ordinal);
    }
}

public sealed class EmailSniffTests
{
    [Fact]
    public async Task A_bom_before_the_headers_still_sniffs_as_email()
    {
        var result = await Reading.ReadAsync(new IngestionOptions(), "m.txt", [0xEF, 0xBB, 0xBF, .. "From: a@b\nSubject: hi\n\nbody\n"u8]);
        Assert.Equal("hi\n\nbody", Assert.Single(result.Documents).Text);
    }
}
