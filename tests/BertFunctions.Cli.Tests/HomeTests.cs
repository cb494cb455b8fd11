using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace BertFunctions.Cli.Tests;

/// <summary>
/// One local home, one Azurite, one host: a second command on a home that <c>bertfn serve</c> holds uses serve's
/// storage and host instead of starting a second emulator on the same folder (which lost the upload and raced the
/// metadata file), and says so when it cannot.
/// </summary>
public sealed class HomeTests
{
    [Fact]
    public async Task Ingest_beside_a_running_serve_uploads_to_serves_azurite_and_the_upload_starts_a_run_there()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var serve = await ServeProcess.StartAsync();
        var record = await ReadRecordAsync(serve.Home);
        Assert.Equal(serve.Pid, record.GetProperty("pid").GetInt32());
        Assert.Equal("serve", record.GetProperty("command").GetString());
        var host = new Uri(record.GetProperty("host").GetString()!);
        var corpus = Corpus();

        var ingest = await ServeProcess.RunCliAsync(serve.Home, "ingest", corpus, "--dataset", "notes", "--labeled", "--label-from-folder");

        Assert.True(ingest.ExitCode == 0, ingest.Stderr);
        Assert.Contains($"'bertfn serve' (pid {serve.Pid}", ingest.Stdout + ingest.Stderr, StringComparison.Ordinal);
        Assert.Single(ServeProcess.AzuritesOf(serve.Home)); // serve's; none was started beside it
        // The files are in serve's storage, and serve's upload watcher started the dataset's run from them.
        var uploads = new BlobServiceClient(record.GetProperty("storage").GetString()).GetBlobContainerClient("uploads");
        var uploaded = new List<string>();
        await foreach (var blob in uploads.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "labeled/notes/", ct))
        {
            uploaded.Add(blob.Name);
        }

        Assert.Equal(24, uploaded.Count);
        using var http = new HttpClient { BaseAddress = host };
        var clock = Stopwatch.StartNew();
        string page;
        while (!(page = await http.GetStringAsync(new Uri("api/runs", UriKind.Relative), ct)).Contains("notes-finetune-", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(1000, ct);
        }

        Assert.Contains("notes-finetune-", page, StringComparison.Ordinal);

        // bertfn runs finds serve's host through the home: it lists the run, cancels it, and follows it to its end.
        var list = await ServeProcess.RunCliAsync(serve.Home, "runs", "list");
        Assert.True(list.ExitCode == 0, list.Stderr);
        var runId = System.Text.RegularExpressions.Regex.Match(list.Stdout, @"notes-finetune-[0-9a-f]{12}").Value;
        Assert.NotEmpty(runId);
        var cancel = await ServeProcess.RunCliAsync(serve.Home, "runs", "cancel", runId);
        Assert.True(cancel.ExitCode == 0, cancel.Stderr);
        var follow = await ServeProcess.RunCliAsync(serve.Home, "runs", "follow", runId);
        Assert.True(follow.ExitCode == 0, follow.Stderr);
        Assert.Contains($"run {runId}: cancelled", follow.Stdout, StringComparison.Ordinal);
        var show = await ServeProcess.RunCliAsync(serve.Home, "runs", "show", runId);
        Assert.Equal(runId, JsonDocument.Parse(show.Stdout).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Runs_without_a_host_on_the_home_is_a_one_line_error()
    {
        var home = Path.Combine(Path.GetTempPath(), "bertfn-home-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        try
        {
            var list = await ServeProcess.RunCliAsync(home, "runs", "list");

            Assert.Equal(69, list.ExitCode);
            Assert.Equal($"bertfn: error: no local host runs on {home}: start 'bertfn serve' (or demo, compare), or give --endpoint", list.Stderr.Trim());
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_serve_on_a_home_with_a_host_refuses_and_names_the_running_one()
    {
        await using var serve = await ServeProcess.StartAsync();
        var host = (await ReadRecordAsync(serve.Home)).GetProperty("host").GetString()!;

        var second = await ServeProcess.RunCliAsync(serve.Home, "serve", "--port", "0");

        Assert.Equal(69, second.ExitCode);
        Assert.Contains($"a local host already runs on {serve.Home}: {host} ('bertfn serve', pid {serve.Pid})", second.Stderr, StringComparison.Ordinal);
        Assert.Single(ServeProcess.AzuritesOf(serve.Home));
    }

    [Fact]
    public async Task A_home_held_by_a_process_whose_storage_does_not_answer_is_a_one_line_error()
    {
        // Another process holds the lock (util-linux flock, the same lock the CLI takes) and names a storage that is gone.
        var home = Path.Combine(Path.GetTempPath(), "bertfn-home-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        using var holder = Process.Start(new ProcessStartInfo("flock", [Path.Combine(home, "home.lock"), "sleep", "120"]) { UseShellExecute = false })!;
        try
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(home, "home.json"), JsonSerializer.Serialize(new
            {
                pid = holder.Id,
                command = "ingest",
                storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;",
                started = DateTimeOffset.UtcNow,
            }), TestContext.Current.CancellationToken);

            var shards = await ServeProcess.RunCliAsync(home, "shards", "show", "latest", "--dataset", "notes");

            Assert.Equal(69, shards.ExitCode);
            Assert.Contains($"is held by 'bertfn ingest' (pid {holder.Id}), whose storage does not answer", shards.Stderr, StringComparison.Ordinal);
            Assert.Single(shards.Stderr.Trim().Split('\n'));
            Assert.Empty(ServeProcess.AzuritesOf(home)); // it never started one of its own on the held folder
        }
        finally
        {
            holder.Kill();
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>home.json once serve has published its host there (it does so right after its host starts).</summary>
    private static async Task<JsonElement> ReadRecordAsync(string home)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var record = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(home, "home.json"), TestContext.Current.CancellationToken)).RootElement.Clone();
            if (record.TryGetProperty("host", out var host) && host.ValueKind == JsonValueKind.String || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return record;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>24 short labeled notes in label folders.</summary>
    private static string Corpus()
    {
        var folder = Path.Combine(Path.GetTempPath(), "bertfn-notes-" + Guid.NewGuid().ToString("N"));
        foreach (var (label, words) in new[] { ("good", "great lovely fine excellent"), ("bad", "awful broken poor terrible") })
        {
            Directory.CreateDirectory(Path.Combine(folder, label));
            for (var i = 0; i < 12; i++)
            {
                File.WriteAllText(Path.Combine(folder, label, $"{i}.txt"), $"note {i}: the service was {words.Split(' ')[i % 4]} and the food {words.Split(' ')[(i + 1) % 4]} on day {i}.");
            }
        }

        return folder;
    }
}
