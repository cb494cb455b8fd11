using Parquet;
using Parquet.Schema;

namespace BertFunctions.Ingestion.Tests;

/// <summary>Writes real Parquet files with Parquet.Net: one row group per element of <c>groups</c>, one array per column.</summary>
internal static class ParquetFiles
{
    public static async Task<byte[]> WriteAsync(ParquetSchema schema, params Array[][] groups)
    {
        var output = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var columns in groups)
            {
                using var group = writer.CreateRowGroup();
                for (var i = 0; i < columns.Length; i++)
                {
                    await WriteColumnAsync(group, schema.DataFields[i], columns[i]);
                }
            }
        }

        // The writer closes the stream; a closed MemoryStream still hands out its bytes.
        return output.ToArray();
    }

    /// <summary>A file with one text column of these values per row group (nullable strings).</summary>
    public static Task<byte[]> TextAsync(params string?[][] groups) =>
        WriteAsync(new ParquetSchema(new DataField<string>("text", true)), [.. groups.Select(g => new Array[] { g })]);

    private static async Task WriteColumnAsync(ParquetRowGroupWriter group, DataField field, Array values)
    {
        var ct = TestContext.Current.CancellationToken;
        switch (values)
        {
            case string?[] strings:
                await group.WriteAsync(field, strings);
                break;
            case byte[]?[] binary:
                await group.WriteAsync(field, binary);
                break;
            case int?[] ints:
                await group.WriteAsync<int>(field, ints, cancellationToken: ct);
                break;
            case int[] ints:
                await group.WriteAsync<int>(field, ints, cancellationToken: ct);
                break;
            case long[] longs:
                await group.WriteAsync<long>(field, longs, cancellationToken: ct);
                break;
            case bool[] flags:
                await group.WriteAsync<bool>(field, flags, cancellationToken: ct);
                break;
            case double[] doubles:
                await group.WriteAsync<double>(field, doubles, cancellationToken: ct);
                break;
            default:
                throw new ArgumentException($"No writer for {values.GetType().Name}.", nameof(values));
        }
    }
}
