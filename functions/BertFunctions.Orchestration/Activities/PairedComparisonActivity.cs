using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Contracts;
using BertFunctions.Orchestration.Orchestrators;
using Microsoft.DurableTask;

namespace BertFunctions.Orchestration.Activities;

/// <summary>
/// At each budget, the best strategy against the runner-up (on validation macro-F1), example by example: McNemar's
/// exact test on the validation split, each seed's pair of models scored on the same examples, the disagreements summed
/// over seeds. Reads the per-example labels and predictions of each arm's metrics.json (final checkpoint). A seed
/// whose two arms lack them or disagree on the labels (not the same examples) is left out and counted.
/// </summary>
public sealed class PairedComparisonActivity(BlobServiceClient blobs) : TaskActivity<ExperimentResult, List<PairedComparison>>
{
    public override async Task<List<PairedComparison>> RunAsync(TaskActivityContext context, ExperimentResult input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var checkpoints = blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        var comparisons = new List<PairedComparison>();
        foreach (var verdict in ExperimentSummary.Verdicts(input.Summaries))
        {
            if (verdict.RunnerUp is not { } second)
            {
                continue;
            }

            int b = 0, c = 0, seeds = 0, skipped = 0;
            foreach (var first in input.Arms.Where(a => a.Strategy == verdict.Best.Strategy && a.Budget == verdict.Budget))
            {
                var other = input.Arms.FirstOrDefault(a => a.Strategy == second.Strategy && a.Budget == verdict.Budget && a.Seed == first.Seed);
                var x = await ReadAsync(checkpoints, first.Checkpoint).ConfigureAwait(false);
                var y = other is null ? null : await ReadAsync(checkpoints, other.Checkpoint).ConfigureAwait(false);
                if (x is null || y is null || !x.Value.Labels.SequenceEqual(y.Value.Labels))
                {
                    skipped++;
                    continue;
                }

                var test = McNemar.Test(x.Value.Correct, y.Value.Correct);
                (b, c, seeds) = (b + test.B, c + test.C, seeds + 1);
            }

            if (seeds > 0)
            {
                var pooled = McNemar.FromCounts(b, c);
                comparisons.Add(new PairedComparison(verdict.Budget, verdict.Best.Strategy, second.Strategy, seeds, skipped, pooled.B, pooled.C, pooled.PValue));
            }
        }

        return comparisons;
    }

    /// <summary>The validation labels and whether each prediction was right, or null when the job's metrics.json lacks them.</summary>
    private static async Task<(int[] Labels, bool[] Correct)?> ReadAsync(BlobContainerClient checkpoints, string? checkpoint)
    {
        if (checkpoint is null)
        {
            return null;
        }

        var folder = checkpoint.StartsWith(StorageLayout.CheckpointsContainer + "/", StringComparison.Ordinal) ? checkpoint[(StorageLayout.CheckpointsContainer.Length + 1)..] : checkpoint;
        JsonNode? metrics;
        try
        {
            var content = await checkpoints.GetBlobClient(folder.TrimEnd('/') + "/metrics.json").DownloadContentAsync().ConfigureAwait(false);
            metrics = JsonNode.Parse(content.Value.Content.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        var split = metrics?["splits"]?["validation"]?["classification"];
        if (split?["labels"] is not JsonArray labels || split["predictions"] is not JsonArray predictions || labels.Count != predictions.Count)
        {
            return null;
        }

        var truth = labels.Select(l => l!.GetValue<int>()).ToArray();
        return (truth, [.. predictions.Select((p, i) => p!.GetValue<int>() == truth[i])]);
    }
}
