using MassTransit;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator.StateMachines;

public sealed class TrainingJobDefinition : SagaDefinition<TrainingJobState>
{
    public TrainingJobDefinition() => EndpointName = "training-job";

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TrainingJobState> sagaConfigurator, IRegistrationContext context) =>
        endpointConfigurator.ConfigureSagaEndpoint(context);
}
