namespace BertFunctions.Datasets;

/// <summary>What a dataset version is for: masked-language-model pretraining or sequence classification.</summary>
public enum DatasetKind
{
    /// <summary>Unlabeled text from <c>uploads/raw/{dataset}/</c>, packed and masked.</summary>
    Pretraining,

    /// <summary>Labeled text from <c>uploads/labeled/{dataset}/</c>, truncated, labels as ids.</summary>
    Classification,
}
