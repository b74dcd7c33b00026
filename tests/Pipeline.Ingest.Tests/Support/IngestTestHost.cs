using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Ingest.Triggers;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Messaging;
using Pipeline.Preprocess;

namespace Pipeline.Ingest.Tests.Support;

/// <summary>Ingest + Preprocess + a saga stand-in in one host, configured like a service (settings as key/value pairs).</summary>
public sealed class IngestTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private IngestTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public PipelineProbe Probe => Services.GetRequiredService<PipelineProbe>();

    public IArtifactStore Store => Services.GetRequiredService<IArtifactStore>();

    public IngestOptions Options => Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IngestOptions>>().Value;

    public string QueuePrefix => Services.GetRequiredService<TestQueues>().Prefix;

    public static async Task<IngestTestHost> StartAsync(IReadOnlyDictionary<string, string?> settings, string queuePrefix = "")
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("PIPELINE_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information);
        }

        builder.Services.AddSingleton<PipelineProbe>();
        builder.Services.AddSingleton(new TestQueues(queuePrefix));
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddPreprocess(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x =>
        {
            x.AddIngestConsumers();
            x.AddPreprocessConsumers();
            x.AddConsumer<SagaStandIn>();
        });
        if (queuePrefix.Length > 0)
        {
            // MassTransit keeps the first formatter registered (the platform's kebab case): replace it, so this
            // host's queues are its own on a shared broker.
            builder.Services.Replace(ServiceDescriptor.Singleton<IEndpointNameFormatter>(new KebabCaseEndpointNameFormatter(queuePrefix.TrimEnd('-'), false)));
        }

        var host = builder.Build();
        LogContext.ConfigureCurrentLogContext(host.Services.GetRequiredService<ILoggerFactory>());
        await host.StartAsync();
        return new IngestTestHost(host);
    }

    /// <summary>Runs a trigger in its own scope, as a consumer would.</summary>
    public async Task<TriggerResult> TriggerAsync(string key, string trigger = "listing")
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ObjectTrigger>().TriggerAsync(Options.Bucket, key, trigger);
    }

    public async Task<SubmittedFile> SubmitFileAsync(string path, Pipeline.Contracts.JobSpec? spec = null)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IngestClient>().SubmitFileAsync(path, spec);
    }

    public Task<int> ListOnceAsync() => Services.GetRequiredService<BucketWatcher>().ScanOnceAsync(CancellationToken.None);

    public Task PutAsync(string key, string content, IReadOnlyDictionary<string, string>? metadata = null) =>
        PutAsync(key, System.Text.Encoding.UTF8.GetBytes(content), metadata);

    public async Task PutAsync(string key, byte[] content, IReadOnlyDictionary<string, string>? metadata = null)
    {
        await Store.EnsureBucketAsync(Options.Bucket);
        await Store.PutBytesAsync(Options.Bucket, key, content, metadata);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
