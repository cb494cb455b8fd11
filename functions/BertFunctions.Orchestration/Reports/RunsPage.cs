using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BertFunctions.Contracts.Models;
using BertFunctions.Contracts.Storage;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Orchestration.Reports;

/// <summary>
/// The runs page: the live model of every name, recent training runs with their state and test metrics (the TF-IDF
/// baseline's beside the model's), and
/// finished experiments with their recommendation and a link to the report. Built from the records in storage, so
/// it shows the same in every host and after restarts.
/// </summary>
public static class RunsPage
{
    /// <summary>
    /// One page of the records, newest change first (a running run moves to the top as it updates), and the cursor of
    /// the page after it (null on the last page).
    /// </summary>
    public sealed record Contents(IReadOnlyList<LiveModel> Live, IReadOnlyList<RunRecord> Runs, IReadOnlyList<ExperimentResult> Experiments, PageCursor? Next = null);

    /// <summary>
    /// The records of one page: the run and experiment records are listed by name and time only (a listing returns
    /// thousands per call), and only the page's own are read. A record that is not valid JSON is skipped and reported
    /// to <paramref name="malformed"/> (blob, reason).
    /// </summary>
    public static async Task<Contents> LoadAsync(BlobServiceClient blobs, PageQuery page, Action<string, string> malformed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(page);
        var runsContainer = blobs.GetBlobContainerClient(StorageLayout.RunsContainer);
        var newest = new NewestFirst(page.Limit + 1);
        if (await runsContainer.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var blob in runsContainer.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken).ConfigureAwait(false))
            {
                if ((blob.Name.EndsWith("/run.json", StringComparison.Ordinal) || blob.Name.EndsWith("/experiment.json", StringComparison.Ordinal))
                    && blob.Properties.LastModified is { } modified && (page.After is null || page.After.Precedes(modified, blob.Name)))
                {
                    newest.Offer(modified, blob.Name);
                }
            }
        }

        var chosen = newest.InOrder();
        var next = chosen.Count > page.Limit ? new PageCursor(chosen[page.Limit - 1].Modified, chosen[page.Limit - 1].Name) : null;
        var runs = new List<RunRecord>();
        var experiments = new List<ExperimentResult>();
        foreach (var (_, name) in chosen.Take(page.Limit))
        {
            if (name.EndsWith("/run.json", StringComparison.Ordinal))
            {
                if (await JsonBlobs.TryReadListedAsync<RunRecord>(runsContainer, name, RunRecord.JsonOptions, malformed, cancellationToken).ConfigureAwait(false) is { } run)
                {
                    runs.Add(run);
                }
            }
            else if (await JsonBlobs.TryReadListedAsync<ExperimentResult>(runsContainer, name, RunRecord.JsonOptions, malformed, cancellationToken).ConfigureAwait(false) is { } experiment)
            {
                experiments.Add(experiment);
            }
        }

        return new Contents(await LiveModelsAsync(blobs, malformed, cancellationToken).ConfigureAwait(false), runs, experiments, next);
    }

    /// <summary>Every model's live pointer: the model names are the container's top-level folders, so no version's files are listed.</summary>
    private static async Task<IReadOnlyList<LiveModel>> LiveModelsAsync(BlobServiceClient blobs, Action<string, string> malformed, CancellationToken cancellationToken)
    {
        var live = new List<LiveModel>();
        var models = blobs.GetBlobContainerClient(StorageLayout.ModelsContainer);
        if (!await models.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return live;
        }

        await foreach (var item in models.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, delimiter: "/", prefix: null, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix && await JsonBlobs.TryReadListedAsync<LiveModel>(models, item.Prefix + "live.json", LiveModel.JsonOptions, malformed, cancellationToken).ConfigureAwait(false) is { } pointer)
            {
                live.Add(pointer);
            }
        }

        return [.. live.OrderBy(l => l.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Per finished run with per-class results: a folded section with the test split's per-class table and its
    /// confusion-matrix plot (drawn on request from the record, loaded only when the section is opened).
    /// </summary>
    private static void AppendClassReports(StringBuilder b, IReadOnlyList<RunRecord> runs)
    {
        var reported = runs.Where(r => r.Outcome?.ClassReports?.ContainsKey("test") == true).ToList();
        if (reported.Count == 0)
        {
            return;
        }

        b.Append("<h3>Per-class results on the test split</h3>\n");
        foreach (var run in reported)
        {
            var report = run.Outcome!.ClassReports!["test"];
            var id = Html.Encode(run.Id);
            b.Append(CultureInfo.InvariantCulture, $"<details class=\"classes\" id=\"classes-{id}\">\n<summary>run <code>{id}</code> ({Html.Encode(run.Request.Dataset)}): {report.Labels.Count} labels, {report.Count} test examples</summary>\n");
            b.Append("<table class=\"per-class\">\n<thead><tr><th class=\"text\">label</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>\n<tbody>\n");
            foreach (var c in report.PerClass)
            {
                b.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"text\">{Html.Encode(c.Label)}</td><td>{Html.Number(c.Precision, "F4")}</td><td>{Html.Number(c.Recall, "F4")}</td><td>{Html.Number(c.F1, "F4")}</td><td>{c.Support}</td></tr>\n");
            }

            b.Append("</tbody>\n</table>\n");
            b.Append(CultureInfo.InvariantCulture, $"<img loading=\"lazy\" src=\"/api/training/{id}/report/{ConfusionMatrixPlot.FileOf("test")}\" alt=\"confusion matrix of run {id} on the test split: true labels in rows, predicted labels in columns\">\n</details>\n");
        }
    }

    /// <summary>The TF-IDF baseline's test macro-F1 beside the run's model; null when the run fitted none or it failed.</summary>
    public static double? BaselineTestMacroF1(RunOutcome? outcome) =>
        outcome?.Baseline?.Metrics is { } m && m.TryGetValue("test.macro_f1", out var f1) ? f1 : null;

    public static string Render(Contents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var b = new StringBuilder("<h1>BertFunctions: runs</h1>\n");
        b.Append("<h2>Live models</h2>\n");
        if (contents.Live.Count == 0)
        {
            b.Append("<p id=\"live\">No model is live yet: the first completed run is promoted.</p>\n");
        }
        else
        {
            b.Append("<table id=\"live\">\n<thead><tr><th class=\"text\">model</th><th class=\"text\">version</th><th>test accuracy</th><th>test macro-F1</th><th class=\"text\">promoted</th></tr></thead>\n<tbody>\n");
            foreach (var l in contents.Live)
            {
                b.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"text\">{Html.Encode(l.Name)}</td><td class=\"text\"><a href=\"/api/models/{Html.Encode(l.Package.TrimEnd('/'))}\"><code>{Html.Encode(l.Version)}</code></a></td>");
                b.Append(CultureInfo.InvariantCulture, $"<td>{Html.Number(l.Metrics.GetValueOrDefault("test.accuracy", double.NaN), "F4")}</td><td>{Html.Number(l.Metrics.GetValueOrDefault("test.macro_f1", double.NaN), "F4")}</td><td class=\"text\">{l.PromotedAt:yyyy-MM-dd HH:mm} UTC</td></tr>\n");
            }

            b.Append("</tbody>\n</table>\n");
        }

        b.Append("<h2>Training runs</h2>\n");
        if (contents.Runs.Count == 0)
        {
            b.Append("<p id=\"runs\">No training runs yet.</p>\n");
        }
        else
        {
            b.Append("<table id=\"runs\">\n<thead><tr><th class=\"text\">run</th><th class=\"text\">dataset</th><th class=\"text\">strategy</th><th class=\"text\">state</th><th class=\"text\">started</th><th>test macro-F1</th><th title=\"TF-IDF + logistic regression on the same splits: is BERT worth it here?\">baseline macro-F1</th><th class=\"text\">outcome</th></tr></thead>\n<tbody>\n");
            foreach (var r in contents.Runs)
            {
                var outcome = r.Error ?? r.Outcome?.Reason ?? "";
                b.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"text\"><a href=\"/api/training/{Html.Encode(r.Id)}\"><code>{Html.Encode(r.Id)}</code></a></td><td class=\"text\">{Html.Encode(r.Request.Dataset)}</td><td class=\"text\">{Html.Encode(TrainingStrategyNames.Name(r.Request.Strategy))}</td>");
                b.Append(CultureInfo.InvariantCulture, $"<td class=\"text state-{Html.Encode(r.State)}\">{Html.Encode(r.State)}</td><td class=\"text\">{r.StartedAt:yyyy-MM-dd HH:mm} UTC</td>");
                b.Append(CultureInfo.InvariantCulture, $"<td>{Html.Number(r.Outcome?.Metrics?.GetValueOrDefault("test.macro_f1", double.NaN) ?? double.NaN, "F4")}</td>");
                b.Append(CultureInfo.InvariantCulture, $"<td class=\"baseline\">{Html.Number(BaselineTestMacroF1(r.Outcome) ?? double.NaN, "F4")}</td><td class=\"text\">{Html.Encode(outcome)}</td></tr>\n");
            }

            b.Append("</tbody>\n</table>\n");
            AppendClassReports(b, contents.Runs);
        }

        b.Append("<h2>Experiments</h2>\n");
        if (contents.Experiments.Count == 0)
        {
            b.Append("<p id=\"experiments\">No finished experiments yet (<code>POST /api/experiments</code> or <code>./bertfn compare</code>).</p>\n");
        }
        else
        {
            b.Append("<table id=\"experiments\">\n<thead><tr><th class=\"text\">experiment</th><th class=\"text\">dataset</th><th>jobs</th><th class=\"text\">finished</th><th class=\"text\">recommendation</th></tr></thead>\n<tbody>\n");
            foreach (var e in contents.Experiments)
            {
                b.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"text\"><a href=\"/api/experiments/{Html.Encode(e.Id)}/report\"><code>{Html.Encode(e.Id)}</code></a></td><td class=\"text\">{Html.Encode(e.Dataset)}</td><td>{e.Arms.Count}</td>");
                b.Append(CultureInfo.InvariantCulture, $"<td class=\"text\">{(e.EndedAt is { } ended ? ended.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "")}</td><td class=\"text\">{Html.Encode(e.Recommendation)}</td></tr>\n");
            }

            b.Append("</tbody>\n</table>\n");
        }

        if (contents.Next is { } next)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p id=\"next\"><a href=\"/api/runs?cursor={Html.Encode(next.Encode())}\">Older runs and experiments</a></p>\n");
        }

        return Html.Page("BertFunctions: runs", b);
    }
}
