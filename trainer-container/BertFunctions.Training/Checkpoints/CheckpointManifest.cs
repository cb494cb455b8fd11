using System.Text.Json;
using System.Text.Json.Serialization;

namespace BertFunctions.Training.Checkpoints;

/// <summary>One file of a checkpoint.</summary>
public sealed record CheckpointFileEntry(string Name, long Size, string Sha256);

/// <summary><c>manifest.json</c>: what a complete checkpoint holds; a file that does not match it makes the checkpoint unusable.</summary>
public sealed record CheckpointManifest(string JobId, long Step, DateTimeOffset CreatedAt, IReadOnlyList<CheckpointFileEntry> Files)
{
    /// <summary>snake_case JSON, as every file the trainer writes.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary><c>latest.json</c>: the newest complete checkpoint of a job.</summary>
public sealed record LatestPointer(long Step, string Folder);

/// <summary>A checkpoint downloaded and verified into a local folder.</summary>
/// <param name="Step">Its step.</param>
/// <param name="Location"><c>checkpoints/{job}/step-NNNNNNNN/</c>.</param>
/// <param name="Folder">The local folder holding its files.</param>
public sealed record RestoredCheckpoint(long Step, string Location, string Folder);
