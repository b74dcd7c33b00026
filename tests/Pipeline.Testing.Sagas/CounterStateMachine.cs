using MassTransit;

namespace Pipeline.Testing.Sagas;

public sealed class CounterStateMachine : MassTransitStateMachine<CounterSaga>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, x => x.CorrelateById(m => m.Message.CounterId));
        Event(() => Incremented, x => x.CorrelateById(m => m.Message.CounterId));
        Event(() => Finished, x => x.CorrelateById(m => m.Message.CounterId));
        Schedule(() => Reminder, x => x.ReminderToken, s =>
        {
            s.Delay = TimeSpan.FromSeconds(1);
            s.Received = r => r.CorrelateById(m => m.Message.CounterId);
        });

        Initially(
            When(Started)
                .TransitionTo(Counting)
                .If(ctx => ctx.Message.RemindAfter is not null, then => then
                    .Schedule(Reminder, ctx => new CounterReminder { CounterId = ctx.Saga.CorrelationId }, ctx => ctx.Message.RemindAfter!.Value)));

        During(Counting,
            When(Incremented).Then(ctx =>
            {
                var bit = 1L << ctx.Message.Sequence;
                if ((ctx.Saga.SeenMask & bit) != 0)
                {
                    ctx.Saga.Duplicates++;
                }

                ctx.Saga.SeenMask |= bit;
                ctx.Saga.Count++;
            }),
            When(Reminder!.Received).Then(ctx => ctx.Saga.Reminders++).TransitionTo(Reminded),
            When(Finished).Finalize());

        During(Reminded, When(Finished).Finalize());

        SetCompletedWhenFinalized();
    }

    public State Counting { get; private set; } = null!;
    public State Reminded { get; private set; } = null!;
    public Event<StartCounter> Started { get; private set; } = null!;
    public Event<IncrementCounter> Incremented { get; private set; } = null!;
    public Event<FinishCounter> Finished { get; private set; } = null!;
    public Schedule<CounterSaga, CounterReminder> Reminder { get; private set; } = null!;
}
