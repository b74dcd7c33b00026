using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Deploy;
using Pipeline.Deploy.Serving;
using Pipeline.Ingest;
using Pipeline.Ingest.Api;
using Pipeline.Orchestrator;
using Pipeline.Orchestrator.Api;
using Pipeline.Orchestrator.Dashboard;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Security;
using Pipeline.Platform.Telemetry;
using Pipeline.Preprocess;
using Pipeline.TrainWorker;

namespace Pipeline.Cli;

/// <summary>
/// Hosts any set of the pipeline's services in one process, the way `pipeline up` and `pipeline demo` do. Each
/// service contributes its registration extension; they share one bus, one database and one artifact store.
/// </summary>
public static class ServiceHost
{
    public static readonly string[] All = ["ingest", "preprocess", "orchestrator", "trainworker", "deploy"];

    /// <summary>Throws a usage error naming the first service that does not exist.</summary>
    public static void Validate(IEnumerable<string> services)
    {
        var unknown = services.Except(All, StringComparer.OrdinalIgnoreCase).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown service '{unknown[0]}'; choose from {string.Join(", ", All)}.");
        }
    }

    /// <summary>The telemetry resource's service.name: <c>pipeline</c> for all of them, else the hosted ones joined.</summary>
    public static string ServiceName(IReadOnlyCollection<string> services) =>
        services.Count == All.Length ? "pipeline" : "pipeline-" + string.Join('+', services.Select(s => s.ToLowerInvariant()).Order(StringComparer.Ordinal));

    /// <param name="services">The services to host.</param>
    /// <param name="settings">Configuration on top of the environment's.</param>
    /// <param name="urls">Where to listen; a free port of 127.0.0.1 when null.</param>
    /// <param name="quiet">No console log (the demo prints its own lines).</param>
    /// <param name="logTo">Where the log goes instead, with the same levels and filters (tests read it).</param>
    public static WebApplication Build(IReadOnlyCollection<string> services, IReadOnlyDictionary<string, string?> settings, string? urls, bool quiet, ILoggerProvider? logTo = null)
    {
        Validate(services);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.UsePipelineDefaults();
        if (quiet || logTo is not null)
        {
            builder.Logging.ClearProviders();
        }

        if (logTo is not null)
        {
            builder.Logging.AddProvider(logTo);
        }

        builder.WebHost.UseUrls(urls ?? "http://127.0.0.1:0");
        builder.AddPipelineSecurity();
        bool Has(string s) => services.Contains(s, StringComparer.OrdinalIgnoreCase);
        var configuration = builder.Configuration;

        // Schemas first (hosted services start in registration order), then the bus.
        if (Has("ingest"))
        {
            builder.Services.AddIngest(configuration);
        }

        if (Has("preprocess"))
        {
            builder.Services.AddPreprocess(configuration);
        }

        if (Has("orchestrator"))
        {
            builder.Services.AddOrchestrator(configuration);
        }

        if (Has("trainworker"))
        {
            builder.Services.AddTrainWorker(configuration);
        }

        if (Has("deploy"))
        {
            builder.Services.AddDeploy(configuration);
        }

        builder.Services.AddPipelineBus(configuration, x =>
        {
            if (Has("ingest"))
            {
                x.AddIngestConsumers();
            }

            if (Has("preprocess"))
            {
                x.AddPreprocessConsumers();
            }

            if (Has("orchestrator"))
            {
                x.AddOrchestratorSagas();
            }

            if (Has("trainworker"))
            {
                x.AddTrainWorkerConsumers();
            }

            if (Has("deploy"))
            {
                x.AddDeployConsumers();
            }
        });

        if (Has("orchestrator"))
        {
            builder.Services.AddJobsApi(configuration);
        }

        builder.Services.AddPipelineHealthChecks();
        builder.Services.AddPipelineOpenApi();
        builder.AddPipelineTelemetry(ServiceName(services));
        var app = builder.Build();
        app.UsePipelineSecurity();
        app.MapPipelineHealthChecks();
        app.MapPipelineOpenApi();
        app.MapPipelineMetrics();
        if (Has("deploy"))
        {
            app.MapServingApi(ServingApi.RegistryRoutesEnabled(configuration));
        }

        if (Has("orchestrator"))
        {
            app.MapJobsApi();
            app.MapDashboard();
            app.MapKeysApi();
        }

        if (Has("ingest"))
        {
            app.MapSubmitApi();
            app.MapRetrainApi();
        }

        LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        return app;
    }
}
