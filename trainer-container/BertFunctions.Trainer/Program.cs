using BertFunctions.Contracts.Storage;
using BertFunctions.Contracts.Training;
using BertFunctions.Trainer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// bertfn-trainer: the trainer container's entry point.
//   bertfn-trainer --job job.json    run one job (events to the training-events queue), exit 0 on success
//   bertfn-trainer --worker          take jobs from the training-jobs queue until idle (Container Apps Job)
// Configuration by environment: BERTFN_STORAGE (blob account URL with managed identity, or a connection string),
// BERTFN_TRAINER__IDLETIMEOUT, __VISIBILITYTIMEOUT, __MAXATTEMPTS. No secrets are baked into the image.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<TrainerOptions>(builder.Configuration.GetSection("BERTFN_TRAINER"));
builder.Services.PostConfigure<TrainerOptions>(o => o.Storage = string.IsNullOrEmpty(o.Storage) ? Environment.GetEnvironmentVariable("BERTFN_STORAGE") ?? "" : o.Storage);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new StorageClients(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrainerOptions>>().Value.Storage));
builder.Services.AddTrainingRunner();
builder.Services.AddSingleton<QueueWorker>();
using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("bertfn-trainer");
// Not disposed: ProcessExit fires after Main has returned, and Cancel() on a disposed source would throw there and
// abort the process (exit code 134 instead of the job's 0 or 1).
var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
if (Environment.GetEnvironmentVariable(ParentWatch.Variable) == "stdin")
{
    // A child of a local host: its stdin is a pipe from the parent, and end-of-file means the parent is gone (even
    // killed with SIGKILL, which it cannot pass on). Stop as on Ctrl+C; a running job stays on the queue.
    _ = ParentWatch.StopWhenStdinClosesAsync(stop);
}

try
{
    switch (args)
    {
        case ["--worker", ..]:
            await host.Services.GetRequiredService<QueueWorker>().RunAsync(stop.Token).ConfigureAwait(false);
            return 0;
        case ["--job", var path, ..]:
            var spec = TrainingJobSpec.FromJson(await File.ReadAllTextAsync(path, stop.Token).ConfigureAwait(false));
            var storage = host.Services.GetRequiredService<StorageClients>();
            var events = storage.Queues.GetQueueClient(TrainingQueues.Events);
            await events.CreateIfNotExistsAsync(cancellationToken: stop.Token).ConfigureAwait(false);
            await using (var sink = new QueueEventSink(events, logger))
            {
                return await host.Services.GetRequiredService<ITrainingJobRunner>().RunAsync(spec, sink, stop.Token).ConfigureAwait(false) ? 0 : 1;
            }

        default:
            await Console.Error.WriteLineAsync("usage: bertfn-trainer --job job.json | --worker").ConfigureAwait(false);
            return 64;
    }
}
catch (Exception e) when (e is JobSpecException or FileNotFoundException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"bertfn-trainer: error: {e.Message}").ConfigureAwait(false);
    return 65;
}
