using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// How every saga endpoint is set up, on top of the exponential retry every endpoint gets (BusRegistration):
/// optimistic-concurrency conflicts and duplicate inserts are retried at once (they resolve in milliseconds), and
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
        endpoint.UseInMemoryOutbox(context);
    }
}
