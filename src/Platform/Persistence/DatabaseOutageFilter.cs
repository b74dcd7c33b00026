using MassTransit;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Inside each endpoint's retry: when handling a message fails on the database and the database does not answer,
/// waits for it (<see cref="DatabaseOutageWait"/>) before the failure goes on to the retry, whose next attempt then
/// finds the database back. Any other failure passes straight through.
/// </summary>
public sealed class DatabaseOutageFilter<T>(DatabaseOutageWait outage) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception ex) when (DatabaseOutageWait.InvolvesTheDatabase(ex))
        {
            await outage.WaitUntilReachableAsync(context.CancellationToken);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("databaseOutage");
}
