using System.Collections.Concurrent;
using MassTransit;

namespace Pipeline.Orchestrator.Tests;

/// <summary>
/// Makes the first sends of some command types throw, as a send does when the broker went away after the saga saved
/// its new state (the in-memory outbox sends after the save). The command is then lost unless the saga sends it again.
/// </summary>
internal sealed class LostSends(params (Type Command, int Times)[] losses)
{
    private readonly ConcurrentDictionary<Type, int> _left = new(losses.ToDictionary(l => l.Command, l => l.Times));

    /// <summary>Sends of this command type that were lost.</summary>
    public int LostOf<T>() => losses.Single(l => l.Command == typeof(T)).Times - _left.GetValueOrDefault(typeof(T));

    private bool LoseNext(Type command)
    {
        while (_left.TryGetValue(command, out var left) && left > 0)
        {
            if (_left.TryUpdate(command, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes the commands the saga sends (delivered ones are then in the harness's <c>Consumed</c>).</summary>
    internal sealed class Receiver<T> : IConsumer<T>
        where T : class
    {
        public Task Consume(ConsumeContext<T> context) => Task.CompletedTask;
    }

    /// <summary>On the bus's send pipe (every send); throws for the sends to lose.</summary>
    internal sealed class Filter(LostSends plan) : IFilter<SendContext>
    {
        public Task Send(SendContext context, IPipe<SendContext> next)
        {
            var command = plan._left.Keys.FirstOrDefault(t => typeof(SendContext<>).MakeGenericType(t).IsInstanceOfType(context));
            return command is not null && plan.LoseNext(command)
                ? throw new IOException($"broker unreachable: the {command.Name} send was lost")
                : next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("lost-sends");
    }
}
