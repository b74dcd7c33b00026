using MassTransit;
using Microsoft.Extensions.Configuration;
using Pipeline.Platform.Persistence;

namespace Pipeline.Testing.Sagas;

public sealed class CounterSagaDefinition : SagaDefinition<CounterSaga>
{
    /// <summary>Tests on a shared broker give each scenario its own queue through <c>Counter:Endpoint</c>.</summary>
    public CounterSagaDefinition(IConfiguration configuration) =>
        EndpointName = configuration["Counter:Endpoint"] ?? "counter-saga";

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<CounterSaga> sagaConfigurator, IRegistrationContext context) =>
        endpointConfigurator.ConfigureSagaEndpoint(context);
}
