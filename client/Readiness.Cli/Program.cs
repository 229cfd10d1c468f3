using Readiness.Cli;

return await CommandLine.RunAsync(args);
