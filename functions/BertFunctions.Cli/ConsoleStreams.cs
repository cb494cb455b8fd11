namespace BertFunctions.Cli;

/// <summary>The process's standard streams, injected so that commands can be tested in-process.</summary>
public sealed record ConsoleStreams(Stream Input, Stream Output, TextWriter Error)
{
    /// <summary>Progress bars only when a person is watching stderr, never into logs or pipes.</summary>
    public bool ShowProgress => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;
}
