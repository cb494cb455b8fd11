using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace BertFunctions.Ingestion;

/// <summary>
/// The Parquet columns ingestion reads, found by name in the file's schema, and how one row group of each becomes
/// strings. Only top-level, non-repeated columns qualify. Text: strings (binary columns are decoded as UTF-8, as
/// writers that predate the string annotation store text). Labels: strings, integers and booleans, each by its
/// invariant string form, the text a CSV export of the same column would hold.
/// </summary>
internal static class ParquetColumns
{
    private static readonly HashSet<Type> LabelTypes =
    [
        typeof(bool), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
    ];

    /// <summary>The text column and the label column (<see langword="null"/> when the file has none), or why the file cannot be read.</summary>
    public static (DataField? Text, DataField? Label, string? Problem) Find(ParquetSchema schema, string textField, string labelField)
    {
        var text = ByName(schema, textField);
        if (text is null)
        {
            var columns = schema.Fields.Count == 0 ? "none" : string.Join(", ", schema.Fields.Select(f => $"'{f.Name}'"));
            return (null, null, $"the file has no '{textField}' column (columns: {columns})");
        }

        if (!IsFlat(text, out var textData) || !IsText(textData.ClrType))
        {
            return (null, null, $"the '{text.Name}' column holds {Describe(text)}, not strings");
        }

        var label = ByName(schema, labelField);
        if (label is null)
        {
            return (textData, null, null);
        }

        if (!IsFlat(label, out var labelData) || !(IsText(labelData.ClrType) || LabelTypes.Contains(labelData.ClrType)))
        {
            return (null, null, $"the '{label.Name}' column holds {Describe(label)}; labels must be strings, integers or booleans");
        }

        return (textData, labelData, null);
    }

    /// <summary>One row group's values of a column found by <see cref="Find"/>, as strings (<see langword="null"/> for a null).</summary>
    public static async Task<string?[]> ReadAsync(ParquetRowGroupReader group, DataField field, Charsets charsets, CancellationToken ct)
    {
        var rows = checked((int)group.RowCount);
        var type = field.ClrType;
        if (type == typeof(ReadOnlyMemory<char>) || type == typeof(string))
        {
            var values = new string?[rows];
            await group.ReadAsync(field, values, null, ct).ConfigureAwait(false);
            return values;
        }

        if (type == typeof(ReadOnlyMemory<byte>) || type == typeof(byte[]))
        {
            var bytes = new byte[]?[rows];
            await group.ReadAsync(field, bytes, null, ct).ConfigureAwait(false);
            return [.. bytes.Select(b => b is null ? null : Charsets.Decode(charsets.Utf8, b))];
        }

        return type switch
        {
            _ when type == typeof(bool) => await ReadValuesAsync<bool>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(sbyte) => await ReadValuesAsync<sbyte>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(byte) => await ReadValuesAsync<byte>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(short) => await ReadValuesAsync<short>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(ushort) => await ReadValuesAsync<ushort>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(int) => await ReadValuesAsync<int>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(uint) => await ReadValuesAsync<uint>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(long) => await ReadValuesAsync<long>(group, field, rows, ct).ConfigureAwait(false),
            _ when type == typeof(ulong) => await ReadValuesAsync<ulong>(group, field, rows, ct).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"'{field.Name}' ({type.Name}) was not checked by Find."),
        };
    }

    /// <summary>Bytes one row group's chunk of a column takes once decompressed (from the file's metadata, at most past any limit), 0 when unknown.</summary>
    public static long UncompressedBytes(ParquetRowGroupReader group, DataField field) =>
        Math.Clamp(group.GetMetadata(field)?.MetaData?.TotalUncompressedSize ?? 0, 0, IngestionOptions.CeilingFileBytes + 1);

    private static async Task<string?[]> ReadValuesAsync<T>(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        var values = new T?[rows];
        await group.ReadAsync<T>(field, values, null, ct).ConfigureAwait(false);
        return [.. values.Select(v => v is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value}") : null)];
    }

    /// <summary>The top-level column of this name; an exact match first, then the one that matches ignoring case (as CSV headers do).</summary>
    private static Field? ByName(ParquetSchema schema, string name)
    {
        var exact = schema.Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        if (exact is not null)
        {
            return exact;
        }

        var folded = schema.Fields.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return folded.Count == 1 ? folded[0] : null;
    }

    private static bool IsFlat(Field field, out DataField data)
    {
        data = (field as DataField)!;
        return field is DataField { IsArray: false, MaxRepetitionLevel: 0 };
    }

    private static bool IsText(Type type) =>
        type == typeof(ReadOnlyMemory<char>) || type == typeof(string) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(byte[]);

    private static string Describe(Field field) => field switch
    {
        DataField { IsArray: true } data => $"lists of {TypeName(data.ClrType)}",
        DataField data => TypeName(data.ClrType) + " values",
        _ => field.SchemaType.ToString().ToLowerInvariant() + " values",
    };

    private static string TypeName(Type type) =>
        type == typeof(ReadOnlyMemory<char>) ? "string" : type == typeof(ReadOnlyMemory<byte>) ? "binary" : type.Name.ToLowerInvariant();
}
