using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Ingest.Consumers;

/// <summary>Queue <c>validate-dataset</c>: publishes <see cref="DatasetAccepted"/> or <see cref="DatasetRejected"/>.</summary>
public sealed class ValidateDatasetConsumer(DatasetValidator validator) : IConsumer<ValidateDataset>
{
    public async Task Consume(ConsumeContext<ValidateDataset> context)
    {
        var result = await validator.ValidateAsync(context.Message, context.CancellationToken);
        switch (result)
        {
            case DatasetAccepted accepted:
                await context.Publish(accepted, context.CancellationToken);
                break;
            case DatasetRejected rejected:
                await context.Publish(rejected, context.CancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unexpected validation result {result.GetType().Name}.");
        }
    }
}
