using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Which datasets an experiment ingests beyond the labeled one, from its strategies and whether the dataset has raw/
/// uploads: the domain text (dapt, dapt+tapt), the task's own text (tapt, dapt+tapt), and for scratch a domain
/// vocabulary with the labeled data and domain text tokenized in it. Without raw/ uploads the domain text is the task's
/// text, and one ingested version serves both.
/// </summary>
/// <param name="DomainVocabulary">Scratch: train a vocabulary on the domain text, and ingest labeled data and text in it.</param>
/// <param name="DomainText">Dapt or dapt+tapt: ingest the domain text (raw/, or the labeled uploads read as text).</param>
/// <param name="TaskText">Tapt or dapt+tapt: the task's own text is needed.</param>
/// <param name="SeparateTaskText">The task's text is its own ingestion (it is not the domain text already ingested).</param>
/// <param name="Note">Why dapt and tapt compare poorly on this dataset, when they do.</param>
public sealed record ExperimentTexts(bool DomainVocabulary, bool DomainText, bool TaskText, bool SeparateTaskText, string? Note)
{
    /// <summary>The texts <paramref name="strategies"/> need; <paramref name="noRawUploads"/> when the dataset has no raw/ uploads.</summary>
    public static ExperimentTexts For(IReadOnlyCollection<TrainingStrategy> strategies, bool noRawUploads)
    {
        ArgumentNullException.ThrowIfNull(strategies);
        var dapt = strategies.Any(s => s is TrainingStrategy.Dapt or TrainingStrategy.DaptTapt);
        var tapt = strategies.Any(s => s is TrainingStrategy.Tapt or TrainingStrategy.DaptTapt);
        var shared = dapt && tapt && noRawUploads;
        return new ExperimentTexts(
            strategies.Contains(TrainingStrategy.Scratch),
            dapt,
            tapt,
            tapt && !(dapt && noRawUploads),
            shared ? "the dataset has no raw/ uploads, so the domain text is the task's own text: dapt and tapt adapt on the same text, and dapt+tapt adapts on it twice as long" : null);
    }
}
