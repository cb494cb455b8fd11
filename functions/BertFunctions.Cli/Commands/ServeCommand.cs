using System.ComponentModel;
using BertFunctions.Cli.Hosting;
using BertFunctions.Cli.Storage;
using BertFunctions.LocalHost;
using BertFunctions.Orchestration;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace BertFunctions.Cli.Commands;

/// <summary>
/// <c>bertfn serve</c>: the local host in the foreground until Ctrl+C. The Functions app's HTTP routes on loopback,
/// the pipeline on the in-process Durable engine, uploads watched, the trainer as a child process; Azurite underneath.
/// </summary>
public sealed class ServeCommand(ConsoleStreams streams) : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("Port on 127.0.0.1 (default 7071, as the Functions host; 0 picks a free one).")]
        public int Port { get; init; } = 7071;

        [CommandOption("--debounce <SECONDS>")]
        [Description("Seconds uploads must be quiet before a run starts (default 10).")]
        public double Debounce { get; init; } = 10;

        [CommandOption("--storage <STORAGE>")]
        [Description("'local' (default: Azurite under ~/.bertfn), an https:// account URL or a connection string.")]
        public string? Storage { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Port is < 0 or > 65535 ? Spectre.Console.ValidationResult.Error("--port must be 0-65535")
            : Debounce is < 0 or > 3600 ? Spectre.Console.ValidationResult.Error("--debounce must be 0-3600 seconds")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var storage = await StorageConnection.OpenAsync(settings.Storage, "serve", streams.Error, cancellationToken).ConfigureAwait(false);
        if (storage.SharedWith is { } holder)
        {
            throw new Io.CliException(holder.Host is { } running
                ? $"a local host already runs on {CliHome.Path}: {running} ('bertfn {holder.Command}', pid {holder.Pid}); use it, or set BERTFN_HOME to another folder for a second one"
                : $"the local home {CliHome.Path} is in use by 'bertfn {holder.Command}' (pid {holder.Pid}): wait for it to end", Io.ExitCodes.Unavailable);
        }

        var pipeline = new PipelineOptions { DebounceWindow = TimeSpan.FromSeconds(settings.Debounce) };
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = await LocalHostLauncher.StartAsync(storage, $"http://127.0.0.1:{settings.Port}", LogLevel.Information, pipeline, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new Io.CliException($"port {settings.Port} on 127.0.0.1 is in use (another 'bertfn serve'?): choose one with --port", Io.ExitCodes.Unavailable, e);
        }

        await using var disposeApp = app;
        var address = app.Address();
        storage.PublishHost(address);
        await streams.Error.WriteLineAsync(ServeBanner.Text(address, storage)).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop cleanly; runs in progress resume at the next start.
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return Io.ExitCodes.Ok;
    }
}
