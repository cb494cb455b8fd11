namespace BertFunctions.Datasets;

/// <summary>One completed shard of a <see cref="ShardSetWriter"/>.</summary>
/// <param name="FileName">E.g. <c>shard-00000.bin</c>.</param>
/// <param name="Examples">Records in it.</param>
/// <param name="Bytes">Its size.</param>
public sealed record ShardInfo(string FileName, int Examples, long Bytes);
