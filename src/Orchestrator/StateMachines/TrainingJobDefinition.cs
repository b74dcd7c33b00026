using MassTransit;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator.StateMachines;

public sealed class TrainingJobDefinition : SagaDefinition<TrainingJobState>
{
    /// <summary>The saga's queue.</summary>
    public const string Queue = "training-job";

    public TrainingJobDefinition() => EndpointName = Queue;

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TrainingJobState> sagaConfigurator, IRegistrationContext context) =>
        endpointConfigurator.ConfigureSagaEndpoint(context);
}
