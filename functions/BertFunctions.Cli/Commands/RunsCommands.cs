using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BertFunctions.Cli.Hosting;
using BertFunctions.Cli.Io;
using BertFunctions.Cli.Storage;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn runs</c>: the runs and experiments of a host, as the runs page has them. Against the local home's host
/// (the one <c>bertfn serve</c>, <c>demo</c> or <c>compare</c> runs, found through the home's <c>home.json</c>) or a
/// deployed Functions app (<c>--endpoint</c>, with its admin key in <c>BERTFN_ADMIN_KEY</c>).
/// </summary>
public class RunsSettings : CommandSettings
{
    [CommandOption("--endpoint <URL>")]
    [Description("The host: a deployed Functions app (https://APP.azurewebsites.net, admin key in BERTFN_ADMIN_KEY). Default: the local host that holds this home.")]
    public string? Endpoint { get; init; }
}

/// <summary>A run or experiment id and the host.</summary>
public sealed class RunIdSettings : RunsSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("A training run id, or an experiment id (exp-...).")]
    public string Id { get; init; } = "";
}

/// <summary><c>bertfn runs list</c>.</summary>
public sealed class RunsListCommand(ConsoleStreams streams) : AsyncCommand<RunsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var http = await RunsHost.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/runs", UriKind.Relative));
        request.Headers.Accept.ParseAdd("application/json");
        var list = await RunsHost.SendAsync<RunList>(http, request, cancellationToken).ConfigureAwait(false);
        var output = ConsoleStreams.OutputConsole(new StreamWriter(streams.Output) { AutoFlush = true });
        if (list.Runs.Count == 0 && list.Experiments.Count == 0)
        {
            output.WriteLine("no runs or experiments yet");
            return ExitCodes.Ok;
        }

        if (list.Runs.Count > 0)
        {
            var table = new Table().AddColumn("run").AddColumn("dataset").AddColumn("strategy").AddColumn("state").AddColumn("started (UTC)")
                .AddColumn(new TableColumn("test macro-F1").RightAligned()).AddColumn("promoted");
            foreach (var run in list.Runs)
            {
                table.AddRow(run.Id, run.Dataset, run.Strategy, run.State, run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    run.TestMacroF1?.ToString("F4", CultureInfo.InvariantCulture) ?? "", run.Promoted switch { true => "yes", false => "no", null => "" });
            }

            output.Write(table);
        }

        foreach (var experiment in list.Experiments)
        {
            output.WriteLine($"experiment {experiment.Id} ({experiment.Dataset}): {experiment.Recommendation}");
        }

        return ExitCodes.Ok;
    }
}

/// <summary>
/// <c>bertfn runs show ID</c>: the status as the API gives it (JSON on stdout, for people and scripts); for a finished
/// run with per-class results, their tables on stderr (stdout stays one JSON document).
/// </summary>
public sealed class RunsShowCommand(ConsoleStreams streams) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var http = await RunsHost.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(RunsHost.StatusPath(settings.Id), UriKind.Relative));
        var status = await RunsHost.SendAsync<JsonElement>(http, request, cancellationToken).ConfigureAwait(false);
        await streams.Output.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(status, RunsHost.Indented) + "\n"), cancellationToken).ConfigureAwait(false);
        if (!RunsHost.IsExperiment(settings.Id) && status.Deserialize<RunStatusResponse>(TrainingApi.JsonOptions)?.Outcome?.ClassReports?.GetValueOrDefault("test") is { } report)
        {
            ClassReportTable.Write(streams.Error, report);
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>bertfn runs follow ID</c>: progress until the run or experiment ends, then how it ended (a run's per-class results on the test split, when it has them).</summary>
public sealed class RunsFollowCommand(ConsoleStreams streams) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var http = await RunsHost.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
        var follower = new StatusFollower(streams, http);
        var output = ConsoleStreams.OutputConsole(new StreamWriter(streams.Output) { AutoFlush = true });
        string line;
        RunOutcome? outcome = null;
        try
        {
            if (RunsHost.IsExperiment(settings.Id))
            {
                var status = await follower.FollowAsync(RunsHost.StatusPath(settings.Id), $"experiment {settings.Id}", RunViews.Experiment, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                line = $"experiment {settings.Id}: {status.RuntimeStatus}{(status.Result is { } r ? $": {r.Recommendation}" : status.Error is { } e ? $": {e}" : "")}";
            }
            else
            {
                var status = await follower.FollowAsync(RunsHost.StatusPath(settings.Id), $"run {settings.Id}", RunViews.Run, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                outcome = status.Outcome;
                line = status.Outcome is { } o
                    ? $"run {settings.Id}: {o.State}{(o.State == "completed" ? $", {(o.Promoted ? "promoted" : "not promoted")}" : "")} ({o.Reason})"
                    : $"run {settings.Id}: {status.RuntimeStatus}{(status.Error is { } e ? $": {e}" : "")}";
            }
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach {http.BaseAddress}: {e.Message}", ExitCodes.Unavailable, e);
        }

        output.WriteLine(line);
        if (outcome is not null)
        {
            BaselineComparison.Write(output, outcome); // is BERT worth it here: the model beside the TF-IDF baseline
        }

        if (outcome?.ClassReports?.GetValueOrDefault("test") is { } classes)
        {
            ClassReportTable.Write(output, classes);
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>bertfn runs cancel ID</c>: asks a training run to stop (its trainer job stops at its next step).</summary>
public sealed class RunsCancelCommand(ConsoleStreams streams) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (RunsHost.IsExperiment(settings.Id))
        {
            throw new CliException("experiments cannot be cancelled yet; cancel is for training runs", ExitCodes.Usage);
        }

        using var http = await RunsHost.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/training/{Uri.EscapeDataString(settings.Id)}/cancel", UriKind.Relative))
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        await RunsHost.SendAsync<RunAccepted>(http, request, cancellationToken).ConfigureAwait(false);
        await streams.Error.WriteLineAsync($"bertfn: cancel requested for run {settings.Id}; 'bertfn runs follow {settings.Id}' shows it end").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}

/// <summary>Finding the host and talking to it, for the runs commands.</summary>
internal static class RunsHost
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static bool IsExperiment(string id) => id.StartsWith("exp-", StringComparison.Ordinal);

    public static string StatusPath(string id) => IsExperiment(id) ? $"api/experiments/{Uri.EscapeDataString(id)}" : $"api/training/{Uri.EscapeDataString(id)}";

    /// <summary>An HTTP client for <c>--endpoint</c> (with the admin key), or for the local host that holds this home.</summary>
    public static async Task<HttpClient> ConnectAsync(RunsSettings settings, CancellationToken cancellationToken)
    {
        Uri address;
        if (settings.Endpoint is { } endpoint)
        {
            address = Uri.TryCreate(endpoint.EndsWith('/') ? endpoint : endpoint + "/", UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
                ? parsed
                : throw new CliException($"--endpoint '{endpoint}' is not an http(s) URL", ExitCodes.Usage);
        }
        else
        {
            var holder = await LocalHome.ReadHolderAsync(CliHome.Path, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            address = holder?.Host is { } host
                ? new Uri(host)
                : throw new CliException($"no local host runs on {CliHome.Path}: start 'bertfn serve' (or demo, compare), or give --endpoint", ExitCodes.Unavailable);
        }

        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
        if (Environment.GetEnvironmentVariable("BERTFN_ADMIN_KEY") is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return http;
    }

    /// <summary>Sends and reads the answer; problem details and an unreachable host are one-line errors.</summary>
    public static async Task<T> SendAsync<T>(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach {http.BaseAddress}: {e.Message}", ExitCodes.Unavailable, e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var detail = ProblemDetail.Of(body) ?? body;
                throw new CliException($"{http.BaseAddress} answered {(int)response.StatusCode}: {detail}", response.StatusCode switch
                {
                    HttpStatusCode.NotFound => ExitCodes.NoInput,
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unavailable,
                    >= HttpStatusCode.InternalServerError => ExitCodes.Unavailable,
                    _ => ExitCodes.BadInput,
                });
            }

            return (await response.Content.ReadFromJsonAsync<T>(TrainingApi.JsonOptions, cancellationToken).ConfigureAwait(false))!;
        }
    }
}
