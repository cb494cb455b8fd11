using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BertFunctions.LocalHost;

/// <summary>
/// Runs the trainer worker (<c>bertfn-trainer --worker</c>) as a child process, the local stand-in for the Container
/// Apps Job that the queue scales in Azure: the same executable, the same queue, the same storage. If it exits (a
/// crash, or killed), it is started again after a pause; a job it was running reappears on the queue and resumes from
/// its checkpoint. Stopped with the host.
/// </summary>
public sealed partial class TrainerSupervisor(IOptions<LocalHostOptions> options, ILogger<TrainerSupervisor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.TrainerAssembly is null)
        {
            LogNoTrainer();
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            using var process = Start(settings);
            LogStarted(process.Id);
            try
            {
                await process.WaitForExitAsync(stoppingToken).ConfigureAwait(false);
                LogExited(process.ExitCode);
            }
            catch (OperationCanceledException)
            {
                // The host is stopping: the trainer's job (if any) stays on the queue and resumes next time.
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken).ConfigureAwait(false);
        }
    }

    private Process Start(LocalHostOptions settings)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        // stdin is a pipe the host never writes to: when the host dies, even by SIGKILL, the worker reads end-of-file and stops.
        var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(settings.TrainerAssembly!);
        info.ArgumentList.Add("--worker");
        info.Environment["BERTFN_STORAGE"] = settings.Storage;
        info.Environment["BERTFN_PARENT_WATCH"] = "stdin";
        info.Environment["BERTFN_TRAINER__IDLETIMEOUT"] = "1.00:00:00"; // locally the worker waits for jobs as long as the host runs
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss ";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start the trainer ({host} {settings.TrainerAssembly})");
        var log = settings.TrainerLog is null ? null : TextWriter.Synchronized(new StreamWriter(settings.TrainerLog, append: true) { AutoFlush = true });
        void Forward(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (log is not null)
            {
                log.WriteLine(line);
            }
            else
            {
                LogTrainerLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.Exited += (_, _) => log?.Dispose();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No trainer assembly configured: trainer jobs wait in the training-jobs queue for a worker")]
    private partial void LogNoTrainer();

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer worker started (pid {Pid})")]
    private partial void LogStarted(int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trainer worker exited with code {Code}; starting it again")]
    private partial void LogExited(int code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "trainer: {Line}")]
    private partial void LogTrainerLine(string line);
}
