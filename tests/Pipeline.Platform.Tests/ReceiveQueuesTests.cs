using Pipeline.Platform.Messaging;

namespace Pipeline.Platform.Tests;

public sealed class ReceiveQueuesTests
{
    [Theory]
    [InlineData("rabbitmq://127.0.0.1/pipeline/train-shard", "train-shard")]
    [InlineData("rabbitmq://127.0.0.1/train-shard", "train-shard")]
    [InlineData("rabbitmq://127.0.0.1/t-1/training-job?prefetch=8", "training-job")]
    [InlineData("rabbitmq://127.0.0.1/%2Fweird/queue%20name", "queue name")]
    public void A_durable_endpoint_is_watched_by_its_queue_name(string address, string queue) =>
        Assert.Equal(queue, ReceiveQueues.QueueName(new Uri(address)));

    [Theory]
    [InlineData("rabbitmq://127.0.0.1/pipeline/vm_testhost_bus_8t5oyyd6?temporary=true")]
    [InlineData("rabbitmq://127.0.0.1/pipeline/deploy-swap-1a2b?durable=false&autodelete=true")]
    [InlineData("rabbitmq://127.0.0.1/pipeline/job-cancelled-1a2b?autodelete=true")]
    public void A_temporary_endpoint_is_not_watched(string address) =>
        Assert.Null(ReceiveQueues.QueueName(new Uri(address)));
}
