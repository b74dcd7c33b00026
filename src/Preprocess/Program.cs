using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Preprocess;

// The preprocessing process: typing, cleaning, fitting the transform on the training split, writing shards.
// Settings from configuration or the environment (Pipeline__...).
return await PipelineHost.RunAsync(args, defaultPort: 5083, builder =>
{
    builder.Services.AddPreprocess(builder.Configuration);
    builder.Services.AddPipelineBus(builder.Configuration, x => x.AddPreprocessConsumers());
});
