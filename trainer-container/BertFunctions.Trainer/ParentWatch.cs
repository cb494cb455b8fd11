namespace BertFunctions.Trainer;

/// <summary>
/// Ends a child process with its parent. Linux cannot be asked to (PR_SET_PDEATHSIG must be set between fork and exec,
/// which .NET's Process does not expose), but a pipe can: the parent holds the write end of the child's stdin, the
/// kernel closes it when the parent dies however it dies, and the child reads end-of-file.
/// </summary>
public static class ParentWatch
{
    /// <summary><c>BERTFN_PARENT_WATCH=stdin</c>: the local host starts the trainer worker with it.</summary>
    public const string Variable = "BERTFN_PARENT_WATCH";

    /// <summary>Reads stdin to its end (the parent never writes), then cancels <paramref name="stop"/>.</summary>
    public static async Task StopWhenStdinClosesAsync(CancellationTokenSource stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var buffer = new byte[256];
        await using var stdin = Console.OpenStandardInput();
        try
        {
            while (await stdin.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A broken pipe is the parent gone too.
        }

        await Console.Error.WriteLineAsync("bertfn-trainer: the parent process is gone; stopping").ConfigureAwait(false);
        stop.Cancel();
    }
}
