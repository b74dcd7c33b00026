using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// How every saga endpoint is set up: optimistic-concurrency conflicts and duplicate inserts are retried
/// immediately then with growing intervals (conflicts resolve in milliseconds, a database outage in seconds), and
/// the in-memory outbox releases what the state machine published only after the instance was saved.
/// </summary>
public static class SagaEndpointConventions
{
    public static void ConfigureSagaEndpoint(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<DbUpdateConcurrencyException>();
            r.Handle<DbUpdateException>();
            r.Immediate(20);
        });
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(300)));
        endpoint.UseInMemoryOutbox(context);
    }
}
