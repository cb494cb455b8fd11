using BertFunctions.Contracts.Models;
using BertFunctions.Orchestration.Activities;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Orchestrators;

/// <summary>
/// Champion/challenger with the write that makes it true: verify the challenger's package in storage, read the live model (with its ETag), refuse a changed label
/// contract, measure the champion on the challenger's validation split, decide (<see cref="Promotion"/>), and promote
/// only if the live model is still the one decided against. A run that loses that race (another run promoted in
/// between) decides again against the new champion, so the later of two runs finishing together never replaces a
/// better model it was not compared with. Used by training runs and by experiments that offer their winner.
/// </summary>
internal static class ChampionGate
{
    /// <summary>Decisions against a changing champion before the run gives up (each lost race is another run's promotion).</summary>
    public const int MaxAttempts = 5;

    public sealed record Outcome(Promotion.Decision Decision, IReadOnlyDictionary<string, double>? Champion);

    /// <summary>
    /// Offers <paramref name="candidate"/> (measured by this run on <paramref name="labeled"/>, whose labels it
    /// serves); null when the run was cancelled while the champion was evaluated.
    /// </summary>
    /// <param name="vocabulary">The vocabulary <paramref name="labeled"/> was tokenized with (the champion is measured on the same documents in its own).</param>
    /// <param name="championJob">The id of the champion's evaluate job for each attempt (1, 2...): a new champion is a new job.</param>
    public static async Task<Outcome?> OfferAsync(RunContext run, TrainingRunRequest request, IngestedDataset labeled, string vocabulary, PromotionCandidate candidate, bool allowLabelChange, Func<int, string> championJob)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(labeled);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(championJob);
        var context = run.Context;
        var challenger = candidate.ToLiveModel(request, labeled.Labels, context.InstanceId, context.CurrentUtcDateTime);

        // Whatever the trainer reported, the package must be in storage and verify as serving will check it.
        if (await context.CallActivityAsync<string?>(nameof(VerifyPackageActivity), new PackageToVerify(challenger.Name, challenger.Version), Retries.Storage) is { } broken)
        {
            return new Outcome(new Promotion.Decision(false, $"not promoted: its package does not verify ({broken})"), null);
        }

        // require_beat_baseline: a candidate below the TF-IDF baseline is refused before any champion is evaluated.
        var againstBaseline = candidate.AgainstBaseline(request.PromotionMetric);
        if (againstBaseline is { Promote: false })
        {
            return new Outcome(new Promotion.Decision(false, $"not promoted: {againstBaseline.Reason}"), null);
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var read = await context.CallActivityAsync<LiveModelRead>(nameof(ReadLiveModelActivity), challenger.Name, Retries.Storage);
            if (read.Live is { } own && own.Version == challenger.Version && own.RunId == challenger.RunId)
            {
                // Our own promotion, written before a replay or a retried activity: it stands.
                return new Outcome(new Promotion.Decision(true, "promoted (this run's model is live)"), null);
            }

            var refused = Promotion.RefuseLabelChange(read.Live, challenger.LabelContract ?? "", challenger.Labels ?? [], allowLabelChange);
            IReadOnlyDictionary<string, double>? champion = null;
            if (read.Live is { } live && refused is null)
            {
                champion = await EvaluateChampionAsync(run, request, live, labeled, vocabulary, championJob(attempt));
                if (champion is null)
                {
                    return null;
                }
            }

            var decision = refused ?? Promotion.WithBaseline(Promotion.Decide(request.PromotionMetric, challenger.Metrics, champion), againstBaseline);
            if (!decision.Promote || await context.CallActivityAsync<bool>(nameof(PromoteModelActivity), new PromotionInput(challenger with { PromotedAt = context.CurrentUtcDateTime }, read.ETag), Retries.Storage))
            {
                return new Outcome(decision, champion);
            }

            run.Report(new RunStatus { Phase = RunPhases.Evaluating, Percent = 95, Metrics = challenger.Metrics, Message = "another run promoted a model first: deciding again against it" });
        }

        throw new RunFailedException($"the live model of '{challenger.Name}' changed {MaxAttempts} times while this run decided; nothing was promoted");
    }

    /// <summary>The live model's metrics on the challenger's validation and test splits: reused when it was measured on them, else an evaluate job.</summary>
    private static async Task<IReadOnlyDictionary<string, double>?> EvaluateChampionAsync(RunContext run, TrainingRunRequest request, LiveModel live, IngestedDataset labeled, string vocabulary, string jobId)
    {
        if (ChampionJobs.MeasuredOn(live, labeled))
        {
            return live.Metrics;
        }

        // Same documents, but tokenized with the champion's vocabulary when it differs (content-addressed: cheap if it exists).
        var data = ChampionJobs.NeedsOwnVocabulary(live, vocabulary)
            ? await run.IngestAsync(IngestionRequests.Labeled(request, live.Vocabulary), $"{run.Context.InstanceId}-champion")
            : labeled;
        var done = await run.RunJobAsync(ChampionJobs.Evaluate(jobId, live, data, request.Seed), RunPhases.Evaluating, 93, 97);
        return done is null ? null : done.Metrics ?? new Dictionary<string, double>();
    }
}
