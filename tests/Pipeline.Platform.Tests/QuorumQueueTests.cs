using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Messaging;

namespace Pipeline.Platform.Tests;

/// <summary>
/// <c>Pipeline:RabbitMq:QuorumQueues</c> binds from configuration and the environment's form of it, and turns durable
/// receive endpoints into quorum queues while temporary ones stay classic. The bus is built (topology configured)
/// but never started, so no broker is needed; its probe shows the queues it would declare.
/// </summary>
public sealed class QuorumQueueTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    public void The_setting_binds_and_is_off_by_default(string? value, bool expected)
    {
        var settings = new Dictionary<string, string?> { ["Pipeline:RabbitMq:Host"] = "rabbitmq" };
        if (value is not null)
        {
            settings["Pipeline:RabbitMq:QuorumQueues"] = value;
        }

        var services = new ServiceCollection();
        services.AddOptions<RabbitMqOptions>().Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(RabbitMqOptions.Section));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(expected, provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value.QuorumQueues);
    }

    [Fact]
    public void The_environment_variable_form_binds()
    {
        const string Variable = "PIPELINE_TEST_Pipeline__RabbitMq__QuorumQueues";
        Environment.SetEnvironmentVariable(Variable, "true");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("PIPELINE_TEST_").Build();
            Assert.True(configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>()!.QuorumQueues);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public async Task When_on_durable_endpoints_are_quorum_queues_and_temporary_ones_stay_classic()
    {
        var queues = await DeclaredQueues(quorum: true);
        Assert.Equal("quorum", QueueType(queues["durable-work"]));
        Assert.Null(QueueType(queues["temporary-events"]));
    }

    [Fact]
    public async Task When_off_every_queue_is_classic()
    {
        var queues = await DeclaredQueues(quorum: false);
        Assert.Null(QueueType(queues["durable-work"]));
        Assert.Null(QueueType(queues["temporary-events"]));
    }

    private static string? QueueType(JsonObject receiveSettings) =>
        receiveSettings["queueArguments"]?["x-queue-type"]?.GetValue<string>();

    /// <summary>The receive settings of each endpoint, by queue name, as the bus's probe reports them.</summary>
    private static async Task<Dictionary<string, JsonObject>> DeclaredQueues(bool quorum)
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-quorum-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:Transport"] = "rabbitmq",
                ["Pipeline:RabbitMq:Host"] = "rabbitmq.invalid",
                ["Pipeline:RabbitMq:QuorumQueues"] = quorum ? "true" : "false",
                ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "pipeline.db")}",
            }).Build();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddPipelineBus(configuration, x =>
            {
                x.AddConsumer<WorkConsumer>().Endpoint(e => e.Name = "durable-work");
                x.AddConsumer<EventConsumer>().Endpoint(e =>
                {
                    e.Name = "temporary-events";
                    e.Temporary = true;
                });
            });
            await using var provider = services.BuildServiceProvider();
            var probe = JsonSerializer.SerializeToNode(provider.GetRequiredService<IBusControl>().GetProbeResult().Results)!;
            var found = new Dictionary<string, JsonObject>();
            Collect(probe, found);
            return found;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Collect(JsonNode? node, Dictionary<string, JsonObject> found)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["queueName"] is JsonValue name && o.ContainsKey("queueArguments"))
                {
                    found[name.GetValue<string>()] = o;
                }

                foreach (var (_, child) in o)
                {
                    Collect(child, found);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, found);
                }

                break;
        }
    }

    public sealed record WorkItem;

    public sealed record SomethingHappened;

    public sealed class WorkConsumer : IConsumer<WorkItem>
    {
        public Task Consume(ConsumeContext<WorkItem> context) => Task.CompletedTask;
    }

    public sealed class EventConsumer : IConsumer<SomethingHappened>
    {
        public Task Consume(ConsumeContext<SomethingHappened> context) => Task.CompletedTask;
    }
}
