using System.Text.Json;

namespace BertFunctions.Cli.Io;

/// <summary>Writes one compact JSON object per line to a stream, reusing one <see cref="Utf8JsonWriter"/>.</summary>
public sealed class JsonLinesWriter(Stream output) : IAsyncDisposable
{
    private readonly BufferedStream buffered = new(output, 1 << 16);
    private Utf8JsonWriter? writer;

    /// <summary>Writes one line; <paramref name="write"/> fills in the properties of the object.</summary>
    public void WriteLine(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (writer is null)
        {
            writer = new Utf8JsonWriter(buffered, new JsonWriterOptions { SkipValidation = false });
        }
        else
        {
            writer.Reset(buffered);
        }

        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
        writer.Flush();
        buffered.WriteByte((byte)'\n');
    }

    public static void WriteInts(Utf8JsonWriter json, string name, ReadOnlySpan<int> values)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        await buffered.FlushAsync().ConfigureAwait(false);
        await buffered.DisposeAsync().ConfigureAwait(false);
    }
}
