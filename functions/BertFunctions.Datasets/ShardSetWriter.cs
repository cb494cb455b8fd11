using System.Globalization;

namespace BertFunctions.Datasets;

/// <summary>
/// Writes examples into consecutive shards <c>shard-00000.bin</c>, <c>shard-00001.bin</c>, ..., rolling over
/// to the next shard before one would exceed <see cref="MaxShardBytes"/> (64 MiB by default: small enough
/// to buffer, to upload in one go, and to shuffle at shard granularity). Streams come from a factory, so
/// the caller decides where shards live.
/// </summary>
public sealed class ShardSetWriter : IDisposable
{
    /// <summary>The default size limit: 64 MiB.</summary>
    public const long DefaultMaxShardBytes = 64L * 1024 * 1024;

    private readonly Func<string, Stream> _openShard;
    private readonly List<ShardInfo> _shards = [];
    private readonly int _firstIndex;
    private ShardWriter? _current;
    private string? _currentName;

    /// <summary>A writer of shards with <paramref name="header"/>.</summary>
    /// <param name="header">Every shard's header fields.</param>
    /// <param name="openShard">Opens a new, empty output for a file name; the writer disposes it.</param>
    /// <param name="statistics">Collects over every example written, when given (else a fresh instance is used).</param>
    /// <param name="maxShardBytes">Size limit per shard, header and footer included; must hold at least one largest record.</param>
    /// <param name="firstIndex">Number of the first shard's file name.</param>
    public ShardSetWriter(ShardHeader header, Func<string, Stream> openShard, ShardStatistics statistics, long maxShardBytes = DefaultMaxShardBytes, int firstIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(openShard);
        ArgumentNullException.ThrowIfNull(statistics);
        header.Validate();
        var smallest = ShardFormat.HeaderSize + ShardFormat.MaxRecordSize(header) + ShardFormat.FooterSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, smallest);
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        Header = header;
        _openShard = openShard;
        Statistics = statistics;
        MaxShardBytes = maxShardBytes;
        _firstIndex = firstIndex;
    }

    /// <summary>Every shard's header fields.</summary>
    public ShardHeader Header { get; }

    /// <summary>Size limit per shard in bytes.</summary>
    public long MaxShardBytes { get; }

    /// <summary>Statistics over every example written.</summary>
    public ShardStatistics Statistics { get; }

    /// <summary>Shards completed so far (all of them after <see cref="Complete"/>).</summary>
    public IReadOnlyList<ShardInfo> Shards => _shards;

    /// <summary>The file name of shard <paramref name="index"/>: <c>shard-{index:D5}.bin</c>.</summary>
    public static string ShardFileName(int index) => string.Create(CultureInfo.InvariantCulture, $"shard-{index:D5}.bin");

    /// <summary>Appends one example, starting a new shard first if it would not fit in the current one.</summary>
    public void Write(TrainingExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var size = ShardFormat.RecordSize(Header, example.InputIds.Length, example.MaskedPositions.Length);
        if (_current is not null && _current.CompletedLength + size > MaxShardBytes)
        {
            CloseCurrent();
        }

        if (_current is null)
        {
            _currentName = ShardFileName(_firstIndex + _shards.Count);
            _current = new ShardWriter(_openShard(_currentName), Header, Statistics);
        }

        _current.Write(example);
    }

    /// <summary>Writes every example.</summary>
    public void WriteAll(IEnumerable<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        foreach (var example in examples)
        {
            Write(example);
        }
    }

    /// <summary>Completes the last shard. No shard is created when nothing was written.</summary>
    public void Complete() => CloseCurrent();

    /// <summary>Completes the last shard.</summary>
    public void Dispose() => CloseCurrent();

    private void CloseCurrent()
    {
        if (_current is null)
        {
            return;
        }

        var writer = _current;
        _current = null;
        writer.Dispose();
        _shards.Add(new ShardInfo(_currentName!, writer.Count, writer.CompletedLength));
    }
}
