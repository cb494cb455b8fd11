using Parquet;
using Parquet.Schema;

namespace BertFunctions.Ingestion.Tests;

/// <summary>Parquet is read row group by row group, only the columns asked for, and a broken input is not the file's fault.</summary>
public sealed class ParquetStreamingTests
{
    private const int Groups = 6;
    private const int Rows = 500;

    [Fact]
    public async Task The_first_document_comes_after_one_row_group_is_read_and_other_columns_are_never_read()
    {
        var file = await ManyRowGroupsAsync();
        var reader = new DocumentReader(new IngestionOptions());
        var stats = new ReadStatistics();
        long? bytesAtFirstDocument = null;
        var documents = 0;
        await foreach (var item in reader.ReadAsync("big.parquet", new MemoryStream(file, writable: false), stats, ct: TestContext.Current.CancellationToken))
        {
            Assert.IsType<ReadItem.Document>(item);
            bytesAtFirstDocument ??= stats.Bytes;
            documents++;
        }

        Assert.Equal(Groups * Rows, documents);

        // The footer (schema, row group metadata) is read first; past it, a column chunk is a twelfth of the data (six
        // row groups, two columns of equal size). The first document must come after one chunk, not after the file.
        var footer = BitConverter.ToInt32(file.AsSpan(file.Length - 8, 4)) + 8L;
        var chunk = (file.Length - footer) / (Groups * 2);
        Assert.InRange(bytesAtFirstDocument!.Value - footer, chunk / 2, chunk * 3 / 2);
        Assert.InRange(stats.Bytes - footer, chunk * Groups * 9 / 10, chunk * Groups * 11 / 10);
    }

    [Fact]
    public async Task An_input_stream_that_fails_throws_instead_of_quarantining_the_file()
    {
        var file = await ManyRowGroupsAsync();
        var reader = new DocumentReader(new IngestionOptions());
        long textOfGroup3;
        await using (var parquet = await ParquetReader.CreateAsync(new MemoryStream(file), cancellationToken: TestContext.Current.CancellationToken))
        {
            textOfGroup3 = parquet.Metadata!.RowGroups[3].Columns[1].MetaData!.DataPageOffset;
        }

        using var stream = new FailingStream(file, failFrom: textOfGroup3 + 100);
        var read = 0;

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var item in reader.ReadAsync("big.parquet", stream, new ReadStatistics(), ct: TestContext.Current.CancellationToken))
            {
                Assert.IsType<ReadItem.Document>(item);
                read++;
            }
        });

        Assert.Equal(FailingStream.Message, error.Message);
        Assert.Equal(3 * Rows, read);
    }

    /// <summary>Six row groups of 500 rows: a text column and an 'extra' column of the same size, random letters (incompressible enough).</summary>
    private static async Task<byte[]> ManyRowGroupsAsync()
    {
        var random = new Random(7);
        string Letters() => string.Create(400, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.Next(26));
            }
        });

        var schema = new ParquetSchema(new DataField<string>("extra", true), new DataField<string>("text", true));
        var groups = Enumerable.Range(0, Groups)
            .Select(_ => new Array[] { Enumerable.Range(0, Rows).Select(_ => Letters()).ToArray(), Enumerable.Range(0, Rows).Select(_ => Letters()).ToArray() })
            .ToArray();
        return await ParquetFiles.WriteAsync(schema, groups);
    }

    /// <summary>A seekable stream whose reads of one offset fail, like a download that breaks (the footer still reads).</summary>
    private sealed class FailingStream(byte[] content, long failFrom) : Stream
    {
        public const string Message = "the connection was reset";

        private readonly MemoryStream _inner = new(content, writable: false);

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position { get => _inner.Position; set => _inner.Position = value; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            Position <= failFrom && Position + count > failFrom ? throw new IOException(Message) : _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
