using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging.Outages;
using Pipeline.Platform.Persistence;
using Pipeline.Platform.Scheduling;
using Pipeline.Platform.Telemetry;

namespace Pipeline.Platform.Messaging;

public static class BusRegistration
{
    /// <summary>
    /// Registers MassTransit on the transport chosen by <c>Pipeline:Transport</c> (<c>inmemory</c>, the default, or
    /// <c>rabbitmq</c>), with the conventions every endpoint shares: durable queues and <c>_error</c> queues (the
    /// transport's defaults), retry with exponential back-off then delayed redelivery (docs/RELIABILITY.md), a
    /// concurrency limit per endpoint, and the durable
    /// scheduler (due messages kept in the database, so timeouts survive restarts without the delayed-message plugin).
    /// Services add their consumers and sagas in <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddPipelineBus(this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> configure)
    {
        var transport = ParseTransport(configuration["Pipeline:Transport"]);
        services.AddOptions<BusOptions>().Bind(configuration.GetSection(BusOptions.Section));
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.Section));
        services.AddOptions<SchedulerOptions>().Bind(configuration.GetSection(SchedulerOptions.Section));
        services.TryAddSingleton(TimeProvider.System);

        // Hosted services start in registration order: schema and broker checks before the bus.
        services.AddPipelineDbContext<SchedulerDbContext, PostgresSchedulerDbContext, SqliteSchedulerDbContext>(configuration);
        if (transport == TransportKind.RabbitMq)
        {
            services.AddHostedService<RabbitMqPreflight>();
            services.TryAddSingleton(sp => BusConnectionName.From(sp.GetRequiredService<IOptions<RabbitMqOptions>>().Value));
            services.TryAddSingleton<ReceiveQueues>();
            services.AddReceiveEndpointObserver(sp => sp.GetRequiredService<ReceiveQueues>());
            services.TryAddSingleton<ConsumerWatchdog>();
            services.AddHostedService(sp => sp.GetRequiredService<ConsumerWatchdog>());
            services.AddHealthChecks().AddCheck<ConsumerWatchdogHealthCheck>(ConsumerWatchdogHealthCheck.Name, tags: [HealthEndpoints.LiveTag]);
        }

        services.TryAddSingleton<IScheduleMessageProvider, DurableScheduleMessageProvider>();
        services.TryAddSingleton<DatabaseProbe>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, DatabaseProbe>(sp => sp.GetRequiredService<DatabaseProbe>()));
        services.TryAddSingleton<DependencyOutages>();
        services.AddHostedService<ScheduledMessageDispatcher>();

        // Readiness: MassTransit adds its bus check (tag "ready") itself; the database is checked here, once per
        // process whatever services it hosts.
        if (!services.Any(d => d.ServiceType == typeof(DatabaseHealthCheck)))
        {
            services.AddSingleton<DatabaseHealthCheck>();
            services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [HealthEndpoints.ReadyTag], timeout: TimeSpan.FromSeconds(5));
        }

        // Start-up completes only when every receive endpoint is consuming (queues declared and bound), so a
        // message published right after start-up cannot fall into an exchange with no queue behind it yet.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromMinutes(1);
        });

        services.AddMassTransit(x =>
        {
            // Nothing calls out: MassTransit 8.5 reports usage telemetry to its vendor's host after start-up unless
            // told not to (and logs a stack trace where that host is unreachable, as in a locked-down cluster).
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                var bus = context.GetRequiredService<IOptions<BusOptions>>().Value;
                var limit = bus.ConcurrencyFor(name);
                endpoint.ConcurrentMessageLimit = limit;
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    // Unacknowledged messages held by this process: no more than it works on, so a busy worker
                    // does not sit on commands an idle one could take.
                    rabbit.PrefetchCount = limit;
                    if (context.GetRequiredService<IOptions<RabbitMqOptions>>().Value.QuorumQueues)
                    {
                        UseQuorumQueue(rabbit);
                    }
                }

                // Outermost: when the immediate retries are spent, the message goes back through the durable
                // scheduler and waits minutes, so an outage of the store, the database or a peer outlasts the
                // retries without a fault. Only after the last redelivery does it reach the _error queue, and its
                // Fault<T> tell the sender (the saga fails the job, or resends a shard).
                if (bus.RedeliveryIntervals() is { Length: > 0 } redelivery)
                {
                    endpoint.UseScheduledRedelivery(r => r.Intervals(redelivery));
                }

                endpoint.UseMessageRetry(r => r.Exponential(bus.RetryLimit, bus.RetryMinInterval, bus.RetryMaxInterval, bus.RetryMinInterval));

                // Inside the retry, per message type: a failure on an unreachable database or object store waits
                // for it here rather than in redelivery, which backs off to 8 minutes (and, for the database, needs
                // that same database to store the message).
                endpoint.UseConsumeFilter(typeof(DependencyOutageFilter<>), context);
            });

            configure(x);

            if (transport == TransportKind.RabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var o = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                    var tls = RabbitMqTls.From(o);
                    var name = context.GetRequiredService<BusConnectionName>().Value;
                    cfg.Host(o.Host, o.Port, o.VirtualHost, h => ConfigureHost(h, o, tls, name));
                    UseDurableScheduler(cfg, context);
                    cfg.UseConsumeFilter(typeof(JobScopeFilter<>), context); // JobId in log scopes and spans
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    UseDurableScheduler(cfg, context);
                    cfg.UseConsumeFilter(typeof(JobScopeFilter<>), context); // JobId in log scopes and spans
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        services.TryAddSingleton<IMessageScheduler>(sp =>
            new MassTransit.Scheduling.MessageScheduler(sp.GetRequiredService<IScheduleMessageProvider>(), sp.GetRequiredService<IBus>().Topology));
        return services;
    }

    public static TransportKind ParseTransport(string? value) => (value ?? "inmemory").Trim().ToLowerInvariant() switch
    {
        "inmemory" or "in-memory" or "memory" or "" => TransportKind.InMemory,
        "rabbitmq" or "rabbit" => TransportKind.RabbitMq,
        _ => throw new StartupException($"Pipeline:Transport is '{value}'; use 'inmemory' or 'rabbitmq'."),
    };

    /// <summary>Credentials, connection name, heartbeat and TLS (when <c>Pipeline:RabbitMq:UseTls</c>) of the broker connection.</summary>
    internal static void ConfigureHost(IRabbitMqHostConfigurator h, RabbitMqOptions o, RabbitMqTls? tls, string? connectionName = null)
    {
        h.Username(o.Username);
        h.Password(o.Password);
        h.ConnectionName(connectionName ?? BusConnectionName.From(o).Value);
        if (o.Heartbeat is { } heartbeat)
        {
            h.Heartbeat(heartbeat);
        }

        if (tls is not null)
        {
            h.UseSsl(tls.Apply);
        }
    }

    /// <summary>
    /// Declares the endpoint's queue (and its <c>_error</c> / <c>_skipped</c> queues, which copy its arguments) as a
    /// replicated quorum queue. Temporary endpoints (auto-delete, exclusive or not durable, such as Deploy's
    /// per-instance swap events) stay classic: RabbitMQ refuses those properties on a quorum queue.
    /// </summary>
    internal static bool UseQuorumQueue(IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is MassTransit.RabbitMqTransport.Configuration.IRabbitMqReceiveEndpointConfiguration { Settings: { Durable: true, AutoDelete: false, Exclusive: false } })
        {
            endpoint.SetQuorumQueue();
            return true;
        }

        return false;
    }

    private static void UseDurableScheduler(IBusFactoryConfigurator cfg, IBusRegistrationContext context) =>
        cfg.UseFilter(new DurableSchedulerFilter(
            context.GetRequiredService<IScheduleMessageProvider>(),
            new Lazy<IBusTopology>(() => context.GetRequiredService<IBus>().Topology))); // lazily: the bus is being built here
}
