using System.Runtime.InteropServices;

namespace BertFunctions.Cli.Io;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM (what <c>kill</c>, <c>docker stop</c> and systemd send) as a cancellation token: the
/// first one cancels, so a command stops in order (its host stops taking requests, the trainer child and Azurite are
/// stopped, a running job stays on the queue and resumes next time); a second one ends the process at once, as
/// terminals users know do.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration[] registrations;
    private int received;

    public StopSignals()
    {
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => stop.Token;

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref received) == 1)
        {
            context.Cancel = true; // not the default (terminate now): stop in order
            Console.Error.WriteLine($"bertfn: stopping ({context.Signal}); a second one ends it at once");
            stop.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        stop.Dispose();
    }
}
