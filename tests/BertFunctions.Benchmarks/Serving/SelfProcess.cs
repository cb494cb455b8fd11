using System.Diagnostics;

namespace BertFunctions.Benchmarks.Serving;

/// <summary>Runs this program again as a child (<c>--serving</c> plus a child mode), stdout read line by line, stderr shared.</summary>
internal static class SelfProcess
{
    /// <summary>Starts the child; <paramref name="args"/> follow <c>--serving</c>.</summary>
    public static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SelfProcess).Assembly.Location); // started as `dotnet X.dll`: the child must be too
        }

        start.ArgumentList.Add("--serving");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start a child of the bench");
    }

    /// <summary>Runs the child to its end; returns the payload of its line starting with <paramref name="marker"/> and echoes the others.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> args, string marker)
    {
        using var child = Start(args);
        string? result = null;
        while (await child.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                result = line[marker.Length..];
            }
            else
            {
                Console.WriteLine("  child: " + line);
            }
        }

        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode == 0 && result is not null ? result : throw new InvalidOperationException($"the bench's child ({string.Join(' ', args.Take(1))}) exited with {child.ExitCode} without a result");
    }
}
