namespace BertFunctions.Datasets;

/// <summary>Which pieces of a too-long text a classification example keeps.</summary>
public enum TruncationPolicy
{
    /// <summary>The first pieces.</summary>
    Head,

    /// <summary>
    /// The first and the last pieces ("How to Fine-Tune BERT for Text Classification", Sun et al. 2019: head
    /// 128 + tail 382 of 512 was best on IMDb, i.e. about a quarter head).
    /// </summary>
    HeadTail,
}
