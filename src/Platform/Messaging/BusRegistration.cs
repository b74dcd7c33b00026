using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Persistence;
using Pipeline.Platform.Scheduling;

namespace Pipeline.Platform.Messaging;

public static class BusRegistration
{
    /// <summary>
    /// Registers MassTransit on the transport chosen by <c>Pipeline:Transport</c> (<c>inmemory</c>, the default, or
    /// <c>rabbitmq</c>), with the conventions every endpoint shares: durable queues and <c>_error</c> queues (the
    /// transport's defaults), retry with exponential back-off, a concurrency limit per endpoint, and the durable
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
        }

        services.TryAddSingleton<IScheduleMessageProvider, DurableScheduleMessageProvider>();
        services.AddHostedService<ScheduledMessageDispatcher>();

        // Start-up completes only when every receive endpoint is consuming (queues declared and bound), so a
        // message published right after start-up cannot fall into an exchange with no queue behind it yet.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromMinutes(1);
        });

        services.AddMassTransit(x =>
        {
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
                }

                endpoint.UseMessageRetry(r => r.Exponential(bus.RetryLimit, bus.RetryMinInterval, bus.RetryMaxInterval, bus.RetryMinInterval));
            });

            configure(x);

            if (transport == TransportKind.RabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var o = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                    cfg.Host(o.Host, o.Port, o.VirtualHost, h =>
                    {
                        h.Username(o.Username);
                        h.Password(o.Password);
                        h.ConnectionName(o.ConnectionName ?? $"{AppDomain.CurrentDomain.FriendlyName}@{Environment.MachineName}");
                        if (o.Heartbeat is { } heartbeat)
                        {
                            h.Heartbeat(heartbeat);
                        }
                    });
                    UseDurableScheduler(cfg, context);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    UseDurableScheduler(cfg, context);
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

    private static void UseDurableScheduler(IBusFactoryConfigurator cfg, IBusRegistrationContext context) =>
        cfg.UseFilter(new DurableSchedulerFilter(
            context.GetRequiredService<IScheduleMessageProvider>(),
            new Lazy<IBusTopology>(() => context.GetRequiredService<IBus>().Topology))); // lazily: the bus is being built here
}
