using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// Hot swap: every serving instance hears <see cref="ModelDeployed"/> and <see cref="ModelRolledBack"/> on its own
/// temporary queue and swaps its production version of that name after loading the new one.
/// </summary>
public sealed class ProductionChangedConsumer(ModelCache cache) : IConsumer<ModelDeployed>, IConsumer<ModelRolledBack>
{
    public Task Consume(ConsumeContext<ModelDeployed> context) => cache.RefreshProductionAsync(context.Message.ModelName, context.CancellationToken);

    public Task Consume(ConsumeContext<ModelRolledBack> context) => cache.RefreshProductionAsync(context.Message.ModelName, context.CancellationToken);
}
