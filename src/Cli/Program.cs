using Pipeline.Cli;

return await PipelineCommand.RunAsync(args, Console.Out, Console.Error);
