using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace BertFunctions.Modeling;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">State-dict key.</param>
/// <param name="DType">safetensors dtype, e.g. <c>F32</c>.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes.</param>
public sealed record SafeTensorsEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End);

/// <summary>
/// A small, strict reader and writer of the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length, a JSON header mapping names to dtype, shape and data offsets, then raw
/// little-endian data. Reads F32, F16 and BF16 (returned as F32 tensors, which represent them exactly); writes
/// F32, F16 and BF16. Every error names the file.
/// </summary>
public static class SafeTensors
{
    private static readonly Dictionary<string, int> ElementSizes = new() { ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2 };

    /// <summary>The header of <paramref name="path"/>, entries in file order, validated against the file's size.</summary>
    public static IReadOnlyList<SafeTensorsEntry> ReadHeader(string path) => ReadHeader(path, File.ReadAllBytes(path), out _);

    /// <summary>Every tensor of <paramref name="path"/>, on the CPU, as float32.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var entries = ReadHeader(path, bytes, out var dataStart);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var data = bytes.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin));
            tensors[e.Name] = tensor(ToFloats(data, e.DType), e.Shape.ToArray());
        }

        return tensors;
    }

    /// <summary>Writes <paramref name="tensors"/> (any device; F32, F16 or BF16) with HF's <c>{"format": "pt"}</c> metadata.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var dtype = t.dtype switch
            {
                ScalarType.Float32 => "F32",
                ScalarType.Float16 => "F16",
                ScalarType.BFloat16 => "BF16",
                _ => throw new NotSupportedException($"{path}: cannot write '{name}' of dtype {t.dtype}; only float32, float16 and bfloat16 are written."),
            };
            using var cpu = t.detach().cpu().contiguous();
            var blob = cpu.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blob.Length),
            };
            blobs.Add(blob);
            offset += blob.Length;
        }

        // The reference implementation pads the header with spaces to a multiple of 8 so the data is aligned.
        var json = header.ToJsonString();
        json += new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8);
        var headerBytes = Encoding.UTF8.GetBytes(json);
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        file.Write(length);
        file.Write(headerBytes);
        foreach (var blob in blobs)
        {
            file.Write(blob);
        }
    }

    private static List<SafeTensorsEntry> ReadHeader(string path, byte[] bytes, out long dataStart)
    {
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: truncated safetensors file ({bytes.Length} bytes, the header length alone takes 8).");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new InvalidDataException($"{path}: truncated or corrupt safetensors file: header length {headerLength} exceeds the {bytes.Length - 8} bytes after it.");
        }

        dataStart = 8 + (long)headerLength;
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject
                ?? throw new InvalidDataException($"{path}: safetensors header is not a JSON object.");
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}", e);
        }

        var dataLength = bytes.Length - dataStart;
        var entries = new List<SafeTensorsEntry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            entries.Add(ParseEntry(path, name, node, dataLength));
        }

        // The format requires the tensors to tile the data section exactly: no gaps, no overlaps, nothing after.
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin != expected)
            {
                throw new InvalidDataException($"{path}: tensor '{e.Name}' starts at byte {e.Begin} of the data, expected {expected} (gap or overlap).");
            }

            expected = e.End;
        }

        if (expected != dataLength)
        {
            throw new InvalidDataException($"{path}: truncated or corrupt safetensors file: the header describes {expected} bytes of data, the file has {dataLength}.");
        }

        return entries;
    }

    private static SafeTensorsEntry ParseEntry(string path, string name, JsonNode? node, long dataLength)
    {
        try
        {
            var dtype = node!["dtype"]!.GetValue<string>();
            var shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            if (!ElementSizes.TryGetValue(dtype, out var size))
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}; supported: {string.Join(", ", ElementSizes.Keys)}.");
            }

            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength} bytes of data (truncated file?).");
            }

            var count = shape.Aggregate(1L, (a, d) => d < 0 ? -1 : a * d);
            if (count < 0 || count * size != offsets[1] - offsets[0])
            {
                throw new InvalidDataException($"{path}: tensor '{name}' of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {count * size} bytes, data_offsets give {offsets[1] - offsets[0]}.");
            }

            return new SafeTensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: safetensors header entry '{name}' lacks a valid dtype, shape or data_offsets.", e);
        }
    }

    private static float[] ToFloats(ReadOnlySpan<byte> data, string dtype)
    {
        switch (dtype)
        {
            case "F32":
                return MemoryMarshal.Cast<byte, float>(data).ToArray();
            case "F16":
                return MemoryMarshal.Cast<byte, Half>(data).ToArray().Select(h => (float)h).ToArray();
            default: // BF16: the upper half of a float32
                var raw = MemoryMarshal.Cast<byte, ushort>(data);
                var floats = new float[raw.Length];
                for (var i = 0; i < raw.Length; i++)
                {
                    floats[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                }

                return floats;
        }
    }
}
