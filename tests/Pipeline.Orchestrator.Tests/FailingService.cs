using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Orchestrator.Tests;

/// <summary>
/// Plays a service whose every attempt at some commands throws (the store down past every retry): MassTransit then
/// publishes <see cref="Fault{T}"/>, as it does after the last redelivery. The others are taken and dropped.
/// </summary>
internal sealed class FailingService<T>(FailingService<T>.Plan plan) : IConsumer<T>
    where T : class
{
    public const string Error = "object store unreachable: Connection refused (127.0.0.1:9000)";

    public Task Consume(ConsumeContext<T> context) =>
        plan.Fails(context.Message) ? throw new IOException(Error) : Task.CompletedTask;

    /// <summary>Hosts the service on the command's queue; <paramref name="fails"/> picks the commands that fault (all by default).</summary>
    public static void On(IBusRegistrationConfigurator bus, string queue, Func<T, bool>? fails = null)
    {
        bus.AddSingleton(new Plan(fails ?? (_ => true)));
        bus.AddConsumer<FailingService<T>>().Endpoint(e => e.Name = queue);
    }

    internal sealed record Plan(Func<T, bool> Fails);
}
