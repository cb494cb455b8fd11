namespace BertFunctions.Cli.Io;

/// <summary>An error the user can fix. The CLI prints its message as one line and exits non-zero.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.BadInput, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Exit codes, in the spirit of sysexits.h.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Usage = 64;
    public const int BadInput = 65;
    public const int NoInput = 66;
    public const int Unavailable = 69;
    public const int Internal = 70;
}
