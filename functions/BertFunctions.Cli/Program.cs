using BertFunctions.Cli;

// bertfn: the command line. Errors the user can fix are one line on stderr and a non-zero exit, never a stack trace.
return await CliApp.RunAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error).ConfigureAwait(false);
