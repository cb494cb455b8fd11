using Microsoft.AspNetCore.Http;

namespace BertFunctions.Http.Tests;

/// <summary>Requests over a body stream, as the server hands them to an API.</summary>
internal static class Requests
{
    public static HttpRequest Json(byte[] body, long? contentLength = -1, string? contentType = "application/json") =>
        With(new MemoryStream(body), contentLength == -1 ? body.Length : contentLength, contentType);

    public static HttpRequest With(Stream body, long? contentLength, string? contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = body;
        context.Request.ContentLength = contentLength;
        context.Request.ContentType = contentType;
        return context.Request;
    }
}

/// <summary>A body stream that fails as Kestrel's does when the client stops sending or the server's limit is hit.</summary>
internal sealed class FailingStream(byte[] first, BadHttpRequestException failure) : Stream
{
    private bool sent;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the reader must read asynchronously");

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (sent)
        {
            throw failure;
        }

        sent = true;
        first.CopyTo(buffer);
        return ValueTask.FromResult(first.Length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A body that hands out one byte per read: the reader must loop, and grow its buffer, to see it whole.</summary>
internal sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
}
