using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Training;
using BertFunctions.Training.Checkpoints;
using BertFunctions.Training.Tests;

namespace BertFunctions.Trainer.Tests;

/// <summary>Timing-sensitive: runs alone, after the parallel tests, so that nothing else competes for the two cores.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// The real <c>bertfn-trainer --job</c> executable as a child process on Azurite, killed with SIGKILL (no handler,
/// no flush, no cleanup) while it writes a checkpoint and again at a seeded random moment, then restarted: it must
/// resume from the latest complete checkpoint and reproduce the loss curve of an uninterrupted run.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed partial class KillResumeTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private const long Steps = 40;
    private const long CheckpointEvery = 5;
    private const int KillSeed = 20261127;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Tiny BERT on Brown: 40 steps of 2 micro-batches, validation every 10, a checkpoint every 5, keep the last 2.</summary>
    private static Hyperparameters Hp(string precision) => new()
    {
        Precision = precision,
        LearningRate = 2e-3,
        BatchSize = 16,
        GradientAccumulationSteps = 2,
        MaxSteps = Steps,
        WarmupRatio = 0.1,
        EvalEverySteps = 10,
        CheckpointEverySteps = CheckpointEvery,
        KeepCheckpoints = 2,
        Threads = 2,
        Device = "cpu",
    };

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public async Task A_trainer_killed_with_sigkill_mid_checkpoint_and_at_a_random_moment_resumes_from_the_latest_complete_checkpoint_and_follows_the_uninterrupted_loss_curve(string precision)
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("bertfn-kill9-");
        try
        {
            // The reference: the same spec under another job id, run once without interruption.
            var straightSpec = fixture.MlmSpec($"kill9-straight-{precision}", Hp(precision));
            using var straight = Start(straightSpec, work);
            Assert.True(await straight.WaitForExitAsync(RunTimeout, ct) == 0, "the uninterrupted run failed:\n" + straight.Tail());
            var reference = await FinalReportAsync(straightSpec.JobId, ct);
            var trainingTime = straight.ExitedAt - (await straight.Started.WaitAsync(ct)).At;

            var spec = fixture.MlmSpec($"kill9-crash-{precision}", Hp(precision));
            var secondCheckpoint = $"{spec.JobId}/{CheckpointFiles.StepFolder(2 * CheckpointEvery)}/";

            // Kill 1: as soon as the first blob of the second checkpoint appears, i.e. most likely mid-checkpoint.
            CheckpointState afterFirstKill;
            using (var first = Start(spec, work))
            {
                while ((await fixture.CheckpointBlobsAsync(secondCheckpoint)).Count == 0)
                {
                    Assert.False(first.HasExited, "the run ended before its second checkpoint:\n" + first.Tail());
                    Assert.True(clock.Elapsed < RunTimeout * 2, "no second checkpoint in time:\n" + first.Tail());
                }

                await first.KillAsync();
                afterFirstKill = await InspectAsync(spec.JobId, ct);
            }

            Report($"kill -9 #1 when the first blob of {secondCheckpoint} appeared ({(afterFirstKill.Latest < 2 * CheckpointEvery ? "mid-checkpoint" : "too late: that checkpoint was complete")}): {afterFirstKill}");
            Assert.True(afterFirstKill.Latest >= CheckpointEvery, $"the first checkpoint should be complete before the second starts: {afterFirstKill}");

            // Restart 1, then kill 2 at a seeded random moment that is certain to come before its end: right after a
            // seeded choice among its remaining checkpoints (before the last), plus a seeded part of a step, so that
            // it lands in a step, an evaluation, a checkpoint write or a prune, and never after the run has finished.
            var random = new Random(KillSeed);
            var candidates = Enumerable.Range(1, (int)(Steps / CheckpointEvery)).Select(i => i * CheckpointEvery).Where(s => s > afterFirstKill.Latest && s < Steps).ToList();
            Assert.NotEmpty(candidates);
            var killAfter = candidates[random.Next(candidates.Count)];
            var extra = trainingTime / Steps * random.NextDouble();
            await ClearEventsAsync(ct);
            var second = Start(spec, work);
            try
            {
                var resumed = await second.Started.WaitAsync(RunTimeout, ct);
                Assert.True(resumed.Step == afterFirstKill.Latest, $"restart 1 resumed from step {resumed.Step}, the latest complete checkpoint is {afterFirstKill}:\n{second.Tail()}");
                Report($"restart 1 resumed from step {resumed.Step} ({second.ResumedFrom ?? "no checkpoint"}); unusable checkpoints it logged: {second.Warnings}");
                if (afterFirstKill.Latest < 2 * CheckpointEvery)
                {
                    // The half-written folder of kill 1 is skipped with a warning, not silently.
                    Assert.Contains($"{CheckpointFiles.StepFolder(2 * CheckpointEvery)}/ is unusable (newer than latest.json", second.Warnings, StringComparison.Ordinal);
                }

                await second.CheckpointedAsync(killAfter).WaitAsync(RunTimeout, ct);
                await Task.Delay(extra, ct);
                Assert.False(second.HasExited, $"restart 1 finished before kill -9 #2 ({extra.TotalMilliseconds:F0} ms after its step-{killAfter} checkpoint):\n{second.Tail()}");
                await second.KillAsync();
            }
            finally
            {
                second.Dispose();
            }

            var afterSecondKill = await InspectAsync(spec.JobId, ct);
            Report($"kill -9 #2 {extra.TotalMilliseconds:F0} ms after restart 1's checkpoint at step {killAfter} (seed {KillSeed}): {afterSecondKill}");
            Assert.True(afterSecondKill.Latest >= killAfter, $"the checkpoint pointer went back: {afterSecondKill}");

            // Restart 2 runs to the end; its events are the only ones on the queue.
            await ClearEventsAsync(ct);
            var final = Start(spec, work);
            var expected = afterSecondKill.Latest;

            using (final)
            {
                Assert.True(await final.WaitForExitAsync(RunTimeout, ct) == 0, "the resumed run failed:\n" + final.Tail());
                var started = await final.Started.WaitAsync(ct);
                Assert.True(started.Step == expected, $"the last restart resumed from step {started.Step}, the latest complete checkpoint is step {expected}:\n{final.Tail()}");
                Report($"the last restart resumed from step {started.Step} ({final.ResumedFrom ?? "no checkpoint"}); unusable checkpoints it logged: {final.Warnings}");

                var events = (await EventsAsync(ct)).Where(e => e.JobId == spec.JobId).ToList();
                var startedEvent = events.Last(e => e.Kind == TrainingEventKind.Started);
                Assert.Equal($"{StorageLayout.CheckpointsContainer}/{spec.JobId}/{CheckpointFiles.StepFolder(expected)}/", startedEvent.Checkpoint);
                Assert.Equal(expected, startedEvent.Step);
                if (expected < Steps) // else killed after its final checkpoint: the restart only evaluates and re-writes it
                {
                    // The first step after a start is always reported: it trained on from the checkpoint, not from step 0.
                    var firstStep = events.First(e => e.Kind == TrainingEventKind.Progress && e.At >= startedEvent.At);
                    Assert.Equal(expected + 1, firstStep.Step);
                    Assert.True(Math.Abs(firstStep.Loss!.Value - reference.LossCurve[(int)expected].Loss) <= 1e-5,
                        $"the first step after the resume has loss {firstStep.Loss}, the uninterrupted run {reference.LossCurve[(int)expected].Loss}");
                }

                var completed = Assert.Single(events, e => e.Kind == TrainingEventKind.Completed);
                Assert.Equal($"{StorageLayout.CheckpointsContainer}/{spec.JobId}/{CheckpointFiles.StepFolder(Steps)}/", completed.Checkpoint);
            }

            // metrics.json of the final checkpoint: the whole curve (the steps before the resume come from the
            // checkpoint's trainer state, those after from the resumed process), evaluations and final metrics.
            var resumedReport = await FinalReportAsync(spec.JobId, ct);
            Assert.Equal(Steps, resumedReport.Steps);
            Assert.Equal(reference.LossCurve.Select(p => p.Step), resumedReport.LossCurve.Select(p => p.Step));
            Assert.Equal(Enumerable.Range(1, (int)Steps).Select(s => (long)s), resumedReport.LossCurve.Select(p => p.Step));
            var lossDiff = reference.LossCurve.Zip(resumedReport.LossCurve).Max(p => Math.Abs(p.First.Loss - p.Second.Loss));
            var lrDiff = reference.LossCurve.Zip(resumedReport.LossCurve).Max(p => Math.Abs(p.First.LearningRate - p.Second.LearningRate));
            Assert.Equal(reference.Evaluations.Select(e => e.Step), resumedReport.Evaluations.Select(e => e.Step));
            var evaluationDiff = reference.Evaluations.Zip(resumedReport.Evaluations).Max(p => MaxRelativeDiff(p.First.Metrics, p.Second.Metrics));
            var metricsDiff = MaxRelativeDiff(reference.Metrics, resumedReport.Metrics);
            Report(string.Create(CultureInfo.InvariantCulture,
                $"kill -9 resume ({precision}, cost says {resumedReport.Cost?.Precision}): loss {reference.LossCurve[0].Loss:F4} -> {reference.LossCurve[^1].Loss:F4} over {Steps} steps; max |loss diff| {lossDiff:E2}, max |lr diff| {lrDiff:E2}, max relative diff of validation evaluations {evaluationDiff:E2}, of final metrics {metricsDiff:E2} (validation.loss {reference.Metrics["validation.loss"]:F6} vs {resumedReport.Metrics["validation.loss"]:F6}); {clock.Elapsed.TotalSeconds:F1} s"));
            Assert.True(lossDiff <= 1e-5, $"max |loss diff| {lossDiff}");
            Assert.True(lrDiff <= 1e-12, $"max |lr diff| {lrDiff}");
            Assert.True(evaluationDiff <= 1e-5, $"max relative diff of the validation evaluations {evaluationDiff}");
            Assert.Contains("validation.loss", resumedReport.Metrics.Keys);
            Assert.True(metricsDiff <= 1e-5, $"max relative diff of the final metrics {metricsDiff}");

            // The cost adds up over the attempts: the same tokens as the uninterrupted run (the data stream is the
            // same), and training time from before the kills plus after.
            Assert.Equal(reference.Cost!.Tokens, resumedReport.Cost!.Tokens);
            Assert.Equal(precision, resumedReport.Cost.Precision);
            Assert.True(resumedReport.Cost.Tokens > 0 && resumedReport.Cost.TrainSeconds > 0, $"{resumedReport.Cost}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>To the test's output (shown with --show-stdout All), its diagnostic messages and the figures log.</summary>
    private static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Figures.Report(line);
    }

    private static double MaxRelativeDiff(IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, double> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        return expected.Count == 0 ? 0 : expected.Max(kv => Math.Abs(kv.Value - actual[kv.Key]) / Math.Max(1, Math.Abs(kv.Value)));
    }

    /// <summary>The connection string of the fixture's Azurite (the fixture hands out only its blob client).</summary>
    private string ConnectionString =>
        (typeof(TrainingFixture).GetField("emulator", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(fixture) as AzuriteEmulator)?.ConnectionString
        ?? throw new InvalidOperationException("TrainingFixture no longer keeps its AzuriteEmulator in the field 'emulator'");

    private TrainerProcess Start(TrainingJobSpec spec, DirectoryInfo work)
    {
        var specPath = Path.Combine(work.FullName, spec.JobId + ".json");
        File.WriteAllText(specPath, spec.ToJson());
        var temp = Directory.CreateDirectory(Path.Combine(work.FullName, "tmp"));
        return TrainerProcess.Start(specPath, ConnectionString, temp.FullName);
    }

    private async Task<RunReport> FinalReportAsync(string jobId, CancellationToken ct)
    {
        var blob = fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer).GetBlobClient($"{jobId}/{CheckpointFiles.StepFolder(Steps)}/{CheckpointFiles.Metrics}");
        var json = (await blob.DownloadContentAsync(ct)).Value.Content.ToString();
        return JsonSerializer.Deserialize<RunReport>(json, CheckpointManifest.JsonOptions) ?? throw new InvalidDataException($"{blob.Name} is empty");
    }

    /// <summary>What a kill left in storage: the pointer, and each step folder's blobs.</summary>
    private async Task<CheckpointState> InspectAsync(string jobId, CancellationToken ct)
    {
        var names = await fixture.CheckpointBlobsAsync(jobId + "/");
        var container = fixture.Blobs.GetBlobContainerClient(StorageLayout.CheckpointsContainer);
        long latest = 0;
        if (names.Contains($"{jobId}/{CheckpointFiles.Latest}"))
        {
            var pointer = (await container.GetBlobClient($"{jobId}/{CheckpointFiles.Latest}").DownloadContentAsync(ct)).Value.Content.ToString();
            latest = JsonSerializer.Deserialize<LatestPointer>(pointer, CheckpointManifest.JsonOptions)!.Step;
        }

        var folders = names.Where(n => n.Contains("/step-", StringComparison.Ordinal))
            .GroupBy(n => n[..(n.LastIndexOf('/') + 1)], StringComparer.Ordinal)
            .Select(g => new FolderState(g.Key[(jobId.Length + 1)..^1], g.Count(), g.Any(n => n.EndsWith("/" + CheckpointFiles.Manifest, StringComparison.Ordinal))))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var pointed = folders.SingleOrDefault(f => f.Name == CheckpointFiles.StepFolder(latest));
        Assert.True(latest == 0 || pointed is { HasManifest: true }, $"latest.json points to step {latest}, whose folder is not complete: {string.Join(", ", folders)}");
        return new CheckpointState(latest, folders);
    }

    /// <summary>The events queue through the trainer's own client set-up (base64 message bodies).</summary>
    private QueueClient EventsQueue => new StorageClients(ConnectionString).Queues.GetQueueClient(TrainingQueues.Events);

    private async Task ClearEventsAsync(CancellationToken ct)
    {
        await EventsQueue.CreateIfNotExistsAsync(cancellationToken: ct);
        await EventsQueue.ClearMessagesAsync(ct);
    }

    private async Task<List<TrainingEvent>> EventsAsync(CancellationToken ct)
    {
        var events = new List<TrainingEvent>();
        while (true)
        {
            var batch = (await EventsQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), ct)).Value;
            if (batch.Length == 0)
            {
                return events.OrderBy(e => e.At).ToList();
            }

            events.AddRange(batch.Select(m => TrainingEvent.FromJson(m.Body.ToString())));
        }
    }

    /// <summary>What metrics.json holds that the test compares.</summary>
    private sealed record RunReport(long Steps, Dictionary<string, double> Metrics, List<LossPoint> LossCurve, List<EvaluationPoint> Evaluations, JobCost? Cost);

    private sealed record FolderState(string Name, int Blobs, bool HasManifest)
    {
        public override string ToString() => $"{Name} {Blobs} blobs{(HasManifest ? "" : " without manifest (partial)")}";
    }

    private sealed record CheckpointState(long Latest, IReadOnlyList<FolderState> Folders)
    {
        public override string ToString() => $"latest.json -> step {Latest}; {string.Join(", ", Folders)}";
    }

    /// <summary>
    /// <c>dotnet bertfn-trainer.dll --job spec.json</c> (the build copies the trainer next to the tests) with
    /// BERTFN_STORAGE set and its temp folder under the test's; its log lines are captured as they come.
    /// </summary>
    private sealed partial class TrainerProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> lines = new();
        private readonly TaskCompletionSource<(long Step, DateTimeOffset At)> started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> warnings = new();
        private readonly ConcurrentDictionary<long, TaskCompletionSource> checkpoints = new();

        private TrainerProcess(Process process) => this.process = process;

        /// <summary>Completes when the run has logged its complete checkpoint of <paramref name="step"/>; fails if it exits first.</summary>
        public Task CheckpointedAsync(long step) =>
            Task.WhenAny(Checkpoint(step).Task, exited.Task).Unwrap().ContinueWith(
                _ => Checkpoint(step).Task.IsCompleted ? Task.CompletedTask : Task.FromException(new InvalidOperationException($"the run exited before its checkpoint of step {step}:\n{Tail()}")),
                TaskScheduler.Default).Unwrap();

        private TaskCompletionSource Checkpoint(long step) => checkpoints.GetOrAdd(step, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        /// <summary>The step the run started at (its Started event, as logged) and when that line came.</summary>
        public Task<(long Step, DateTimeOffset At)> Started => started.Task;

        public Task Exited => exited.Task;

        public bool HasExited => exited.Task.IsCompleted;

        public DateTimeOffset ExitedAt { get; private set; }

        /// <summary>The checkpoint the run logged it resumed from.</summary>
        public string? ResumedFrom { get; private set; }

        public string Warnings => warnings.IsEmpty ? "none" : string.Join(" | ", warnings);

        public static TrainerProcess Start(string specPath, string connectionString, string temp)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "bertfn-trainer.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: the test project references BertFunctions.Trainer so that the build copies it here");
            var start = new ProcessStartInfo(DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = temp,
            };
            foreach (var argument in (string[])[dll, "--job", specPath])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["BERTFN_STORAGE"] = connectionString;
            start.Environment["TMPDIR"] = temp;
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            var trainer = new TrainerProcess(process);
            process.OutputDataReceived += (_, e) => trainer.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => trainer.OnLine(e.Data);
            Assert.True(process.Start(), "could not start bertfn-trainer");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _ = trainer.WatchAsync();
            return trainer;
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
        {
            try
            {
                await exited.Task.WaitAsync(timeout, ct);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"bertfn-trainer did not finish within {timeout}:\n{Tail()}");
            }

            return process.ExitCode;
        }

        /// <summary>
        /// SIGKILL (Linux): the process gets no chance to flush, clean up or finish an upload. The trainer starts no
        /// child processes, so the signal goes to it alone, at once (entireProcessTree would first walk /proc).
        /// </summary>
        public async Task KillAsync()
        {
            process.Kill();
            await exited.Task;
        }

        public string Tail(int count = 60) => string.Join('\n', lines.TakeLast(count));

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }

        private async Task WatchAsync()
        {
            await process.WaitForExitAsync(); // also waits for the end of both output streams
            ExitedAt = DateTimeOffset.UtcNow;
            exited.TrySetResult();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lines.Enqueue(line);
            if (StartedLine().Match(line) is { Success: true } s)
            {
                started.TrySetResult((long.Parse(s.Groups["step"].Value, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow));
            }
            else if (ResumingLine().Match(line) is { Success: true } r)
            {
                ResumedFrom = r.Groups["checkpoint"].Value;
            }
            else if (line.Contains("is unusable", StringComparison.Ordinal))
            {
                warnings.Enqueue(line.Trim());
            }
            else if (CheckpointLine().Match(line) is { Success: true } c)
            {
                Checkpoint(long.Parse(c.Groups["step"].Value, CultureInfo.InvariantCulture)).TrySetResult();
            }
        }

        /// <summary>The dotnet host that runs the tests (else the one on PATH).</summary>
        private static string DotnetHost()
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            {
                return host;
            }

            var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            return File.Exists(candidate) ? candidate : "dotnet";
        }

        [GeneratedRegex(@": Started step (?<step>\d+)")]
        private static partial Regex StartedLine();

        [GeneratedRegex(@"resuming from (?<checkpoint>\S+) at step")]
        private static partial Regex ResumingLine();

        [GeneratedRegex(@"Checkpoint \S*/step-(?<step>\d+)/(\s|$)")]
        private static partial Regex CheckpointLine();
    }
}
