using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BertFunctions.Cli.Hosting;
using BertFunctions.Orchestration.Api;
using BertFunctions.Orchestration.Contracts;

namespace BertFunctions.Cli.Tests;

/// <summary>
/// A run's per-class results in the terminal: the two tables on their own, and <c>runs follow</c> and <c>runs show</c>
/// against a host that answers GET /api/training/{id} with a finished run (an HTTP listener standing in for it).
/// </summary>
public sealed class ClassReportTableTests
{
    private static readonly ClassReport Report = new()
    {
        Labels = ["ham", "phishing [fraud]", "spam"],
        PerClass = [new("ham", 1.0, 0.75, 0.857142857, 4), new("phishing [fraud]", 0, 0, 0, 1), new("spam", 0.6, 1.0, 0.75, 3)],
        ConfusionMatrix = [[3, 0, 1], [0, 0, 1], [0, 0, 3]],
        Count = 8,
    };

    [Fact]
    public void The_tables_list_every_label_with_its_scores_and_the_matrix_rows_by_true_label()
    {
        using var writer = new StringWriter();

        ClassReportTable.Write(writer, Report);

        var lines = writer.ToString().Split('\n');
        Assert.Equal("test split: 3 labels, 8 examples", lines[0].TrimEnd());
        Assert.Equal(["ham", "1.0000", "0.7500", "0.8571", "4"], Cells(lines, "ham"));
        Assert.Equal(["phishing [fraud]", "0.0000", "0.0000", "0.0000", "1"], Cells(lines, "phishing [fraud]")); // markup characters are text
        Assert.Equal(["spam", "0.6000", "1.0000", "0.7500", "3"], Cells(lines, "spam"));
        Assert.Contains(lines, l => l.StartsWith("confusion matrix: rows are the true label", StringComparison.Ordinal));
        Assert.Equal(["1", "2", "3"], MatrixRow(lines, "true label"));
        Assert.Equal(["3", "0", "1"], MatrixRow(lines, "1 ham"));
        Assert.Equal(["0", "0", "1"], MatrixRow(lines, "2 phishing [fraud]"));
        Assert.Equal(["0", "0", "3"], MatrixRow(lines, "3 spam"));
    }

    [Fact]
    public async Task Runs_follow_ends_with_the_outcome_line_then_the_tables_and_runs_show_keeps_stdout_json()
    {
        var status = new RunStatusResponse
        {
            Id = "spam-finetune-0123456789ab",
            RuntimeStatus = "Completed",
            Outcome = new RunOutcome { State = "completed", Promoted = true, Reason = "first model for this name", ClassReports = new Dictionary<string, ClassReport> { ["test"] = Report } },
        };
        await using var host = await FakeHost.StartAsync(JsonSerializer.Serialize(status, TrainingApi.JsonOptions));

        var follow = await CliRunner.RunAsync("", "runs", "follow", status.Id, "--endpoint", host.Address);
        Assert.True(follow.ExitCode == 0, follow.Stderr);
        var lines = follow.Stdout.Split('\n');
        Assert.Equal($"run {status.Id}: completed, promoted (first model for this name)", lines[0].TrimEnd());
        Assert.Equal("test split: 3 labels, 8 examples", lines[1].TrimEnd());
        Assert.Equal(["0", "0", "3"], MatrixRow(lines, "3 spam"));

        var show = await CliRunner.RunAsync("", "runs", "show", status.Id, "--endpoint", host.Address);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(1, JsonDocument.Parse(show.Stdout).RootElement.GetProperty("outcome").GetProperty("class_reports").GetProperty("test").GetProperty("confusion_matrix")[0][2].GetInt32());
        Assert.Equal(["spam", "0.6000", "1.0000", "0.7500", "3"], Cells(show.Stderr.Split('\n'), "spam"));
    }

    [Fact]
    public async Task A_run_without_per_class_results_shows_only_its_line()
    {
        var status = new RunStatusResponse { Id = "spam-finetune-0123456789ab", RuntimeStatus = "Completed", Outcome = new RunOutcome { State = "completed", Reason = "not better" } };
        await using var host = await FakeHost.StartAsync(JsonSerializer.Serialize(status, TrainingApi.JsonOptions));

        var follow = await CliRunner.RunAsync("", "runs", "follow", status.Id, "--endpoint", host.Address);

        Assert.Equal([$"run {status.Id}: completed, not promoted (not better)"], follow.StdoutLines);
    }

    /// <summary>The cells of the table row that starts with <paramref name="first"/>.</summary>
    private static string[] Cells(IEnumerable<string> lines, string first) =>
        lines.Select(l => l.Split('│', '|').Select(c => c.Trim()).Where(c => c.Length > 0).ToArray())
            .Single(cells => cells.Length > 1 && cells[0] == first);

    /// <summary>The counts of the matrix row (a borderless table) whose label cell is <paramref name="label"/>.</summary>
    private static string[] MatrixRow(IEnumerable<string> lines, string label) =>
        lines.Select(l => l.Trim()).Single(l => l.StartsWith(label + " ", StringComparison.Ordinal))[label.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Answers every GET with the same JSON body.</summary>
    private sealed class FakeHost : IAsyncDisposable
    {
        private readonly HttpListener listener = new();
        private Task? loop;

        public string Address { get; private set; } = "";

        public static Task<FakeHost> StartAsync(string json)
        {
            var host = new FakeHost();
            using (var socket = new TcpListener(IPAddress.Loopback, 0))
            {
                socket.Start();
                host.Address = $"http://127.0.0.1:{((IPEndPoint)socket.LocalEndpoint).Port}/";
                socket.Stop();
            }

            host.listener.Prefixes.Add(host.Address);
            host.listener.Start();
            host.loop = Task.Run(async () =>
            {
                while (host.listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await host.listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    var body = Encoding.UTF8.GetBytes(json);
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            });
            return Task.FromResult(host);
        }

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            listener.Close();
            if (loop is not null)
            {
                await loop;
            }
        }
    }
}
