using MassTransit;
using Pipeline.Platform.Persistence;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>The saga repository against real PostgreSQL and RabbitMQ, with several competing service processes.</summary>
public sealed class SagaRepositoryPostgresTests
{
    [Fact]
    public async Task Sixty_four_concurrent_events_from_three_consumers_are_applied_exactly_once()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var hosts = new[] { await scenario.StartHostAsync(), await scenario.StartHostAsync(), await scenario.StartHostAsync() };
        var id = NewId.NextGuid();
        await hosts[0].Send(new StartCounter { CounterId = id });
        await hosts[0].WaitFor(id, s => s is not null);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => hosts[i % 3].Send(new IncrementCounter { CounterId = id, Sequence = i })));

        var saga = await hosts[1].WaitFor(id, s => s?.Count >= 64, TimeSpan.FromSeconds(60));
        Assert.Equal(64, saga!.Count);
        Assert.Equal(0, saga.Duplicates);
        Assert.Equal(-1L, saga.SeenMask);
    }

    [Fact]
    public async Task An_instance_survives_a_restart_of_the_process_hosting_it()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var id = NewId.NextGuid();
        var first = await scenario.StartHostAsync();
        await first.Send(new StartCounter { CounterId = id });
        await first.WaitFor(id, s => s is not null);
        await first.Send(new IncrementCounter { CounterId = id, Sequence = 3 });
        await first.WaitFor(id, s => s?.Count == 1);
        await scenario.StopHostAsync(first);

        var second = await scenario.StartHostAsync();
        await second.Send(new IncrementCounter { CounterId = id, Sequence = 4 });
        var saga = await second.WaitFor(id, s => s?.Count == 2);
        Assert.Equal(0b11000, saga!.SeenMask);
    }

    [Theory]
    [InlineData(FinalizedSagaPolicy.Delete)]
    [InlineData(FinalizedSagaPolicy.Archive)]
    public async Task A_finalized_instance_is_deleted_or_archived_as_configured(FinalizedSagaPolicy policy)
    {
        await using var scenario = await StackScenario.CreateAsync();
        var host = await scenario.StartHostAsync(policy);
        var id = NewId.NextGuid();
        await host.Send(new StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);
        await host.Send(new FinishCounter { CounterId = id });

        var final = await host.WaitFor(id, s => policy == FinalizedSagaPolicy.Delete ? s is null : s?.CurrentState == "Final");
        Assert.Equal(policy == FinalizedSagaPolicy.Archive, final is not null);
    }
}
