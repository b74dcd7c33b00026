using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>A running service whose broker or database connection drops carries on by itself.</summary>
[Collection(nameof(ReconnectTests))]
[CollectionDefinition(nameof(ReconnectTests), DisableParallelization = true)]
public sealed class ReconnectTests
{
    [Fact]
    public async Task A_service_whose_RabbitMQ_connection_is_closed_reconnects_and_carries_on()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var connectionName = "reconnect-test-" + scenario.Database.Name;
        scenario.Settings["Pipeline:RabbitMq:ConnectionName"] = connectionName;
        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new Testing.Sagas.StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);
        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 0 });
        await host.WaitFor(id, s => s?.Count == 1);

        using var broker = new BrokerAdmin(scenario.Settings);
        var closed = await broker.CloseConnections(connectionName);
        Assert.True(closed > 0, "the test host's broker connection was not found in the management API");

        // MassTransit usually re-attaches within seconds; when it leaves the endpoint without its consumer, the
        // consumer watchdog (Pipeline:RabbitMq:ConsumerMissingLimit, 60 s by default) makes it reconnect.
        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 1 });
        var saga = await host.WaitFor(id, s => s?.Count == 2, TimeSpan.FromSeconds(150));
        Assert.Equal(0, saga!.Duplicates);
    }

    /// <summary>
    /// MassTransit now and then leaves one endpoint without its consumer after a broker restart (see
    /// ConsumerWatchdog); a queue the service is told to consume but that nobody consumes stands in for it here.
    /// </summary>
    [Fact]
    public async Task A_queue_left_without_its_consumer_makes_the_service_reconnect_and_carry_on()
    {
        await using var scenario = await StackScenario.CreateAsync();
        scenario.Settings["Pipeline:RabbitMq:ConsumerCheckInterval"] = "00:00:00.100";
        scenario.Settings["Pipeline:RabbitMq:ConsumerMissingLimit"] = "00:00:01";
        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new Testing.Sagas.StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);

        using var broker = new BrokerAdmin(scenario.Settings);
        var orphan = "orphan-" + scenario.Database.Name;
        await broker.DeclareQueue(orphan);
        try
        {
            var queues = host.Services.GetRequiredService<Messaging.ReceiveQueues>();
            var watchdog = host.Services.GetRequiredService<Messaging.ConsumerWatchdog>();
            queues.Watch(orphan);
            await Until(() => watchdog.Reconnects > 0, "the watchdog did not close the connection of a service whose queue had no consumer");

            // Reconnecting does not give the orphan a consumer: after twice the limit, liveness fails.
            await Until(() => watchdog.StuckQueues.Contains(orphan), "the watchdog did not report a queue still without a consumer after reconnecting");
            queues.Forget(orphan);
            await Until(() => watchdog.StuckQueues.Count == 0, "the watchdog kept reporting a queue the service no longer consumes");
        }
        finally
        {
            await broker.DeleteQueue(orphan);
        }

        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 3 });
        var saga = await host.WaitFor(id, s => s?.Count == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(1L << 3, saga!.SeenMask);
    }

    [Fact]
    public async Task A_service_whose_PostgreSQL_sessions_are_killed_carries_on()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new Testing.Sagas.StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);

        await using (var admin = new NpgsqlConnection(LocalStack.Settings()["Pipeline:Database:ConnectionString"]))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
            kill.Parameters.AddWithValue("db", scenario.Database.Name);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0);
        }

        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 7 });
        var saga = await host.WaitFor(id, s => s?.Count == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(1L << 7, saga!.SeenMask);
    }

    private static async Task Until(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await tick.WaitForNextTickAsync();
        }

        Assert.True(condition(), failure);
    }
}
