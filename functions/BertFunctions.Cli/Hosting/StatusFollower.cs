using System.Net;
using System.Net.Http.Json;
using BertFunctions.Orchestration.Api;
using Spectre.Console;

namespace BertFunctions.Cli.Hosting;

/// <summary>
/// Follows a status URL of the local host until the work ends: a progress bar on a terminal, otherwise one line
/// each time the description changes (not one per poll), so logs stay readable.
/// </summary>
internal sealed class StatusFollower(ConsoleStreams streams, HttpClient http)
{
    /// <summary>What to show of a status (null until the URL answers), and when it is over.</summary>
    public sealed record View<T>(Func<T?, string> Describe, Func<T?, double> Percent, Func<T?, bool> Ended);

    public async Task<T> FollowAsync<T>(string path, string title, View<T> view, TimeSpan interval, CancellationToken ct)
        where T : class
    {
        async Task<T> PollAsync(Action<T?> show)
        {
            while (true)
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative), ct).ConfigureAwait(false);
                var status = response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<T>(TrainingApi.JsonOptions, ct).ConfigureAwait(false);
                show(status);
                if (status is not null && view.Ended(status))
                {
                    return status;
                }

                await Task.Delay(interval, ct).ConfigureAwait(false);
            }
        }

        if (!streams.ShowProgress)
        {
            string? last = null;
            return await PollAsync(s =>
            {
                var line = view.Describe(s);
                if (line != last)
                {
                    streams.Error.WriteLine($"bertfn: {line}");
                    last = line;
                }
            }).ConfigureAwait(false);
        }

        return await streams.ErrorConsole().Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async p =>
            {
                var task = p.AddTask(Markup.Escape(title), maxValue: 100);
                return await PollAsync(s =>
                {
                    task.Description = Markup.Escape(view.Describe(s));
                    task.Value = view.Percent(s);
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }
}
