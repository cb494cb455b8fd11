namespace BertFunctions.Datasets;

/// <summary>What a shard's records are (header byte 10).</summary>
public enum ShardKind : byte
{
    /// <summary>Masked-LM sequences; records carry no label.</summary>
    Pretraining = 1,

    /// <summary>Sequence classification; records end with an i32 label.</summary>
    Classification = 2,
}
