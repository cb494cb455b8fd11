using BertFunctions.Cli;
using BertFunctions.Cli.Io;

// bertfn: the command line. Errors the user can fix are one line on stderr and a non-zero exit, never a stack trace.
// Ctrl+C and SIGTERM cancel the command's token: it stops in order, children included.
using var signals = new StopSignals();
return await CliApp.RunAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, signals.Token).ConfigureAwait(false);
