using MassTransit;

namespace Pipeline.Platform.Messaging.Outages;

/// <summary>
/// Inside each endpoint's retry: when handling a message fails in a way a dependency's outage gives and that
/// dependency does not answer, waits for it (<see cref="DependencyOutageWait"/>) before the failure goes on to the
/// retry, whose next attempt then finds the dependency back. Any other failure passes straight through.
/// </summary>
public sealed class DependencyOutageFilter<T>(DependencyOutages outages) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            foreach (var suspect in outages.Suspects(ex))
            {
                await suspect.WaitUntilReachableAsync(context.CancellationToken);
            }

            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("dependencyOutage");
}
