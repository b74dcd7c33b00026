using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Persistence;

namespace Pipeline.Testing.Sagas;

/// <summary>A service process hosting the counter saga, configured like a real one (settings as key/value pairs).</summary>
public sealed class CounterHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CounterHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    /// <summary>Sends to the saga's own queue (no fan-out to other tests' queues on a shared broker).</summary>
    public async Task Send<T>(T message)
        where T : class
    {
        var name = _host.Services.GetRequiredService<IConfiguration>()["Counter:Endpoint"] ?? "counter-saga";
        var endpoint = await Bus.GetSendEndpoint(new Uri($"queue:{name}"));
        await endpoint.Send(message);
    }

    public static IHost Build(IReadOnlyDictionary<string, string?> settings, FinalizedSagaPolicy finalized = FinalizedSagaPolicy.Delete)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().UsePipelineDefaults().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCounterService(builder.Configuration, finalized);
        var host = builder.Build();

        // MassTransit keeps its logger factory in an ambient context that the first bus sets and later ones reuse.
        // Tests run many hosts in one process, so point it at this host's factory, not a stopped host's.
        LogContext.ConfigureCurrentLogContext(host.Services.GetRequiredService<ILoggerFactory>());
        return host;
    }

    public static async Task<CounterHost> StartAsync(IReadOnlyDictionary<string, string?> settings, FinalizedSagaPolicy finalized = FinalizedSagaPolicy.Delete)
    {
        var host = Build(settings, finalized);
        await host.StartAsync();
        return new CounterHost(host);
    }

    /// <summary>The saga instance as stored, or null; read through the registered load repository like an API would.</summary>
    public Task<CounterSaga?> Load(Guid id) =>
        _host.Services.GetRequiredService<ILoadSagaRepository<CounterSaga>>().Load(id)!;

    /// <summary>Waits until the stored instance satisfies the condition; fails with the last state seen after the timeout.</summary>
    public async Task<CounterSaga?> WaitFor(Guid id, Func<CounterSaga?, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        CounterSaga? last = null;
        do
        {
            last = await Load(id);
            if (condition(last))
            {
                return last;
            }
        }
        while (await ticks.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));

        throw new TimeoutException($"Counter {id} did not reach the expected state; last seen: state={last?.CurrentState ?? "(none)"} count={last?.Count} reminders={last?.Reminders}");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
