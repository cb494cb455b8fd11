using Spectre.Console;

namespace BertFunctions.Cli;

/// <summary>The process's standard streams, injected so that commands can be tested in-process.</summary>
public sealed record ConsoleStreams(Stream Input, Stream Output, TextWriter Error)
{
    /// <summary>Progress bars only when a person is watching stderr, never into logs or pipes.</summary>
    public bool ShowProgress => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>A Spectre console on stderr: status lines and progress bars.</summary>
    public IAnsiConsole ErrorConsole() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Error) });

    /// <summary>
    /// A Spectre console on <paramref name="output"/> (stdout): tables, without colour codes when redirected, and then
    /// 160 columns wide rather than Spectre's 80, so that result lines in logs and files are not wrapped mid-sentence.
    /// </summary>
    public static IAnsiConsole OutputConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        });
        if (Console.IsOutputRedirected || !ReferenceEquals(output, Console.Out))
        {
            console.Profile.Width = 160;
        }

        return console;
    }
}
