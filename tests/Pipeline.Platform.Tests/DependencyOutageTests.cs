using System.Data.Common;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Messaging.Outages;
using Pipeline.Platform.Persistence;

namespace Pipeline.Platform.Tests;

/// <summary>
/// A message whose handling fails on an unreachable dependency (here a database) is held until it answers, instead of
/// running through its retries into redelivery (which backs off to minutes, and for the database needs the database)
/// and the <c>_error</c> queue. The bus is the production one (<c>AddPipelineBus</c>, in-memory transport) with few,
/// fast retries; the outage is a probe that answers "down" and a consumer that throws a driver exception while it does.
/// </summary>
public sealed class DependencyOutageTests
{
    [Fact]
    public async Task A_message_failing_while_the_database_is_down_is_handled_once_it_is_back()
    {
        var database = new SwitchedDatabase { Down = true };
        await using var host = await OutageHost.StartAsync(database, outageWait: TimeSpan.FromMinutes(1));

        await host.Bus.Publish(new Touch { Id = 1 });

        // Several probes while down: without the wait, the two quick retries are spent long before this and the
        // message faults.
        await database.Probed(times: 5).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(host.Outcome.Task.IsCompleted, $"finished while the database was down: {host.Outcome.Task.Status}");

        database.Down = false;
        Assert.Equal("handled", await host.Outcome.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_outage_longer_than_the_wait_faults_the_message()
    {
        var database = new SwitchedDatabase { Down = true };
        await using var host = await OutageHost.StartAsync(database, outageWait: TimeSpan.FromMilliseconds(300));

        await host.Bus.Publish(new Touch { Id = 2 });

        Assert.Equal("faulted", await host.Outcome.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_database_error_while_the_database_answers_is_not_held()
    {
        // e.g. a constraint violation: the probe answers, the failure goes on to the retries and faults.
        var database = new SwitchedDatabase { Down = false, FailAnyway = true };
        await using var host = await OutageHost.StartAsync(database, outageWait: TimeSpan.FromMinutes(1));

        await host.Bus.Publish(new Touch { Id = 3 });

        Assert.Equal("faulted", await host.Outcome.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.InRange(database.Probes, 1, 3); // once per failed attempt, never a wait loop
    }

    [Fact]
    public void Driver_errors_are_found_inside_wrappers()
    {
        var database = new DatabaseProbe(null!);
        Assert.True(database.MayHaveCaused(new InvalidOperationException("outer", new DriverException())));
        Assert.True(database.MayHaveCaused(new AggregateException(new IOException(), new DriverException())));
        Assert.False(database.MayHaveCaused(new InvalidOperationException("outer", new IOException())));
    }

    [Fact]
    public void Only_an_s3_store_is_suspected_and_not_for_a_missing_object()
    {
        var unreachable = new HttpRequestException("Connection refused");
        using var s3 = new S3ArtifactStore(new ArtifactStoreOptions { Provider = "s3", Endpoint = "127.0.0.1:1", AccessKey = "a", SecretKey = "b" });
        var probe = new ArtifactStoreProbe(s3);
        Assert.True(probe.MayHaveCaused(new InvalidOperationException("upload failed", unreachable)));
        Assert.True(probe.MayHaveCaused(new Minio.Exceptions.ConnectionException("Connection error")));
        Assert.False(probe.MayHaveCaused(new Minio.Exceptions.ObjectNotFoundException("jobs/x")));
        Assert.False(probe.MayHaveCaused(new ArtifactNotFoundException("jobs", "x")));
        Assert.False(probe.MayHaveCaused(new FormatException("line 3: not a number")));

        var folder = Directory.CreateTempSubdirectory("probe-");
        try
        {
            Assert.False(new ArtifactStoreProbe(new LocalFolderArtifactStore(folder.FullName)).MayHaveCaused(unreachable));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_s3_endpoint_that_nothing_listens_on_does_not_answer()
    {
        // Port 1 on the loopback: refused at once, so this takes milliseconds, not the probe's time-out.
        using var s3 = new S3ArtifactStore(new ArtifactStoreOptions { Provider = "s3", Endpoint = "127.0.0.1:1", AccessKey = "a", SecretKey = "b" });
        Assert.False(await new ArtifactStoreProbe(s3).AnswersAsync(CancellationToken.None));
    }

    public sealed record Touch
    {
        public required int Id { get; init; }
    }

    private sealed class DriverException() : DbException("connection refused");

    /// <summary>The database as the probe and the consumer see it.</summary>
    private sealed class SwitchedDatabase : IDependencyProbe
    {
        private readonly Lock _gate = new();
        private readonly List<(int Times, TaskCompletionSource Reached)> _waiters = [];
        private int _probes;

        public volatile bool Down;

        public bool FailAnyway { get; init; }

        public int Probes => Volatile.Read(ref _probes);

        public string Dependency => "test database";

        public bool MayHaveCaused(Exception exception) => ExceptionChain.Contains<DbException>(exception);

        public Task Probed(int times)
        {
            lock (_gate)
            {
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_probes >= times)
                {
                    reached.SetResult();
                }
                else
                {
                    _waiters.Add((times, reached));
                }

                return reached.Task;
            }
        }

        public Task<bool> AnswersAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _probes++;
                foreach (var waiter in _waiters.Where(w => _probes >= w.Times))
                {
                    waiter.Reached.TrySetResult();
                }
            }

            return Task.FromResult(!Down);
        }

        public void Use()
        {
            if (Down || FailAnyway)
            {
                throw new InvalidOperationException("saving failed", new DriverException());
            }
        }
    }

    private sealed class TouchConsumer(SwitchedDatabase database, OutageHost.Result outcome) : IConsumer<Touch>
    {
        public Task Consume(ConsumeContext<Touch> context)
        {
            database.Use();
            outcome.TrySetResult("handled");
            return Task.CompletedTask;
        }
    }

    private sealed class TouchFaultConsumer(OutageHost.Result outcome) : IConsumer<Fault<Touch>>
    {
        public Task Consume(ConsumeContext<Fault<Touch>> context)
        {
            outcome.TrySetResult("faulted");
            return Task.CompletedTask;
        }
    }

    private sealed class OutageHost : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly EmbeddedSettings _embedded;

        private OutageHost(IHost host, EmbeddedSettings embedded)
        {
            _host = host;
            _embedded = embedded;
        }

        public IBus Bus => _host.Services.GetRequiredService<IBus>();

        public Result Outcome => _host.Services.GetRequiredService<Result>();

        public static async Task<OutageHost> StartAsync(SwitchedDatabase database, TimeSpan outageWait)
        {
            var embedded = new EmbeddedSettings();
            var settings = embedded.Settings;
            settings["Pipeline:Bus:RetryLimit"] = "2";
            settings["Pipeline:Bus:RetryMinInterval"] = "00:00:00.010";
            settings["Pipeline:Bus:RetryMaxInterval"] = "00:00:00.020";
            settings["Pipeline:Bus:RedeliveryLimit"] = "0";
            settings["Pipeline:Bus:OutageWait"] = outageWait.ToString();
            settings["Pipeline:Bus:OutageProbeInterval"] = "00:00:00.020";

            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders().UsePipelineDefaults().SetMinimumLevel(LogLevel.Error);
            builder.Services.AddSingleton(database);
            builder.Services.AddSingleton<Result>();
            builder.Services.AddPipelineBus(builder.Configuration, x =>
            {
                x.AddConsumer<TouchConsumer>();
                x.AddConsumer<TouchFaultConsumer>();
            });
            builder.Services.RemoveAll<IDependencyProbe>();
            builder.Services.AddSingleton<IDependencyProbe>(database);
            var host = builder.Build();
            LogContext.ConfigureCurrentLogContext(host.Services.GetRequiredService<ILoggerFactory>());
            await host.StartAsync();
            return new OutageHost(host, embedded);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            _embedded.Dispose();
        }

        /// <summary>What became of the published message: handled, or faulted after its retries.</summary>
        public sealed class Result() : TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
