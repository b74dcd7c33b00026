using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace Pipeline.Platform.Scheduling;

/// <summary>
/// Gives every consume context a <see cref="MessageSchedulerContext"/> backed by the durable provider, which is
/// what a state machine's <c>Schedule(...)</c> and <c>context.ScheduleSend(...)</c> use.
/// </summary>
internal sealed class DurableSchedulerFilter(IScheduleMessageProvider provider, Lazy<IBusTopology> topology) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() =>
            new ConsumeMessageSchedulerContext(context, _ => new MessageScheduler(provider, topology.Value)));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("durableScheduler");
}
