using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>Timeouts without RabbitMQ's delayed-message plugin: due messages in PostgreSQL, sent by a dispatcher.</summary>
public sealed class DurableSchedulerTests
{
    [Fact]
    public async Task A_state_machine_timeout_fires()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new StartCounter { CounterId = id, RemindAfter = TimeSpan.FromSeconds(1) });

        var saga = await host.WaitFor(id, s => s?.CurrentState == "Reminded");
        Assert.Equal(1, saga!.Reminders);
    }

    [Fact]
    public async Task A_scheduled_timeout_survives_a_restart_of_every_process()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var id = NewId.NextGuid();
        var first = await scenario.StartHostAsync();
        await first.Send(new StartCounter { CounterId = id, RemindAfter = TimeSpan.FromSeconds(3) });
        await first.WaitFor(id, s => s?.ReminderToken is not null);
        await scenario.StopHostAsync(first);

        var second = await scenario.StartHostAsync();
        var saga = await second.WaitFor(id, s => s?.CurrentState == "Reminded");
        Assert.Equal(1, saga!.Reminders);
    }

    [Fact]
    public async Task Two_dispatchers_send_each_due_message_once()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var a = await scenario.StartHostAsync();
        var b = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await a.Send(new StartCounter { CounterId = id });
        await a.WaitFor(id, s => s is not null);

        var scheduler = a.Services.GetRequiredService<IMessageScheduler>();
        var queue = new Uri($"queue:{scenario.Settings["Counter:Endpoint"]}");
        var due = DateTime.UtcNow.AddSeconds(1);
        for (var i = 0; i < 40; i++)
        {
            await scheduler.ScheduleSend(queue, due, new IncrementCounter { CounterId = id, Sequence = i });
        }

        var saga = await b.WaitFor(id, s => s?.Count >= 40);
        Assert.Equal(0, saga!.Duplicates);
        Assert.Equal((1L << 40) - 1, saga.SeenMask);
    }
}
