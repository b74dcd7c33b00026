using MassTransit;
using Pipeline.Platform.Persistence;

namespace Pipeline.Testing.Sagas;

public sealed class CounterSagaDefinition : SagaDefinition<CounterSaga>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<CounterSaga> sagaConfigurator, IRegistrationContext context) =>
        endpointConfigurator.ConfigureSagaEndpoint(context);
}
