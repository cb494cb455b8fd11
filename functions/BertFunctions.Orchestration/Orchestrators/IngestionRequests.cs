using BertFunctions.Datasets;
using BertFunctions.Ingestion;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Pipeline.Ingestion;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>What a run or an experiment asks ingestion for: its labeled dataset and its domain or task text.</summary>
public static class IngestionRequests
{
    /// <summary>The labeled dataset, tokenized with <paramref name="vocabulary"/> (labels from folders unless the request reads them otherwise).</summary>
    public static IngestionRequest Labeled(TrainingRunRequest request, string vocabulary)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            Dataset = request.Dataset,
            Kind = DatasetKind.Classification,
            Reading = (request.Reading ?? new IngestionOptions { LabelFromFolder = true }) with { Labeled = true },
            Vocabulary = vocabulary,
        };
    }

    /// <summary>
    /// The domain text: the <c>raw/</c> uploads, or, when there are none, the labeled uploads read exactly as the
    /// labeled dataset reads them (labels included), so that ingestion stratifies them the same way and every email
    /// lands in the same split in both versions: no validation or test email is in the MLM training text.
    /// </summary>
    public static IngestionRequest Text(TrainingRunRequest request, string vocabulary, bool fromLabeled)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            Dataset = request.Dataset,
            Kind = DatasetKind.Pretraining,
            UploadsOf = fromLabeled ? DatasetKind.Classification : DatasetKind.Pretraining,
            Reading = fromLabeled ? Labeled(request, vocabulary).Reading : new IngestionOptions(),
            Vocabulary = vocabulary,
        };
    }
}
