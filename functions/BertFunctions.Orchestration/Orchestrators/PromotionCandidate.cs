using BertFunctions.Contracts.Models;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// A model offered to the champion/challenger gate, by a training run (its classify job) or an experiment (its
/// winning arm): what it is and what it was measured on. The gate makes the live-model record of it.
/// </summary>
/// <param name="Version">The model version (the run id, or the arm's job id).</param>
/// <param name="Package">Its package prefix, <c>models/{name}/{version}/</c>.</param>
/// <param name="Metrics">Its validation and test metrics.</param>
/// <param name="DatasetVersion">The labeled dataset version it was measured on.</param>
/// <param name="Vocabulary">The vocabulary it reads.</param>
public sealed record PromotionCandidate(string Version, string Package, IReadOnlyDictionary<string, double> Metrics, string DatasetVersion, string Vocabulary)
{
    /// <summary>
    /// The TF-IDF baseline's metrics on the same splits, when the candidate must beat it (<c>require_beat_baseline</c>);
    /// null when it need not. A required baseline that failed is an empty dictionary, which nothing beats.
    /// </summary>
    public IReadOnlyDictionary<string, double>? MustBeatBaseline { get; init; }

    /// <summary>The baseline rule's verdict on <paramref name="metric"/> (<see cref="Promotion.AgainstBaseline"/>); null when it is not required.</summary>
    public Promotion.Decision? AgainstBaseline(string metric) =>
        MustBeatBaseline is null ? null : Promotion.AgainstBaseline(metric, Metrics, MustBeatBaseline);

    /// <summary>
    /// The live-model record the candidate becomes if promoted: named after the request's model, its labels and
    /// their contract those of the labeled dataset as the request reads it.
    /// </summary>
    public LiveModel ToLiveModel(TrainingRunRequest request, IReadOnlyList<string> labels, string runId, DateTimeOffset promotedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labels);
        return new LiveModel
        {
            Name = request.ModelName,
            Version = Version,
            Package = Package,
            Metrics = Metrics,
            DatasetVersion = DatasetVersion,
            Vocabulary = Vocabulary,
            RunId = runId,
            PromotedAt = promotedAt,
            Labels = labels,
            LabelContract = LabelContract.Of(labels, request.Reading),
        };
    }
}
