using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Scheduling;
using Pipeline.Platform.Telemetry;

namespace Pipeline.Platform.Tests;

/// <summary>The pieces of telemetry that need no running system: log format, OTLP settings, the scheduled trace parent.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public void The_slim_builder_alone_ignores_the_json_formatter_setting_which_is_the_bug_fixed_here()
    {
        var builder = WebApplication.CreateSlimBuilder(["--Logging:Console:FormatterName=json"]);
        using var services = builder.Services.BuildServiceProvider();
        Assert.Equal(ConsoleFormatterNames.Simple, services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void Json_console_logs_are_honoured_and_carry_the_job_id_scope()
    {
        var builder = WebApplication.CreateSlimBuilder(["--Logging:Console:FormatterName=json"]);
        builder.Logging.UsePipelineDefaults();
        using var services = builder.Services.BuildServiceProvider();
        Assert.Equal(ConsoleFormatterNames.Json, services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);

        // What the console provider writes for a line logged inside a consumer's job scope.
        var json = Assert.Single(services.GetServices<ConsoleFormatter>(), f => f.Name == ConsoleFormatterNames.Json);
        var scopes = new LoggerExternalScopeProvider();
        var jobId = Guid.NewGuid();
        using var scope = scopes.Push(new Dictionary<string, object> { ["JobId"] = jobId });
        using var output = new StringWriter();
        json.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<string>(LogLevel.Information, "Pipeline.Test", default, "shard trained", null, (s, _) => s), scopes, output);

        using var line = JsonDocument.Parse(output.ToString());
        Assert.Equal("shard trained", line.RootElement.GetProperty("Message").GetString());
        Assert.Contains(line.RootElement.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("JobId", out var id) && id.GetString() == jobId.ToString());
    }

    [Fact]
    public void The_otlp_endpoint_comes_from_the_setting_or_the_standard_variable_and_a_bad_one_names_itself()
    {
        static IConfiguration Config(params (string Key, string Value)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.ToDictionary(p => p.Key, p => (string?)p.Value)).Build();

        Assert.Null(TelemetryRegistration.OtlpEndpoint(Config(), new TelemetryOptions()));
        Assert.Equal(new Uri("http://collector:4317"), TelemetryRegistration.OtlpEndpoint(Config((TelemetryOptions.StandardEndpointVariable, "http://collector:4317")), new TelemetryOptions()));
        Assert.Equal(new Uri("http://mine:4317"), TelemetryRegistration.OtlpEndpoint(Config((TelemetryOptions.StandardEndpointVariable, "http://other:4317")), new TelemetryOptions { OtlpEndpoint = "http://mine:4317" }));

        var bad = Assert.Throws<StartupException>(() => TelemetryRegistration.OtlpEndpoint(Config(), new TelemetryOptions { OtlpEndpoint = "collector:4317" }));
        Assert.Contains("Pipeline:Telemetry:OtlpEndpoint", bad.Message, StringComparison.Ordinal);
        Assert.Equal(OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf, TelemetryRegistration.OtlpProtocol(Config(("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))));
        Assert.Equal(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, TelemetryRegistration.OtlpProtocol(Config()));
    }

    [Fact]
    public async Task A_scheduled_message_is_dispatched_in_the_trace_that_scheduled_it_and_does_not_carry_the_parent_as_a_header()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "test" or PipelineTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");

        string? headers;
        ActivityTraceId scheduledIn;
        using (var saga = source.StartActivity("saga consumes"))
        {
            scheduledIn = saga!.TraceId;
            headers = await ScheduledHeaders.CaptureAsync(new object(), null, CancellationToken.None);
        }

        Assert.Null(Activity.Current);
        var dispatch = ScheduledHeaders.StartDispatch(headers, "queue:train-shard");
        Assert.NotNull(dispatch);
        Assert.Equal(scheduledIn, dispatch.TraceId);
        dispatch.Dispose();

        var send = new MassTransit.Context.MessageSendContext<object>(new object());
        ScheduledHeaders.Apply(headers, send);
        Assert.Null(send.Headers.Get<string>(ScheduledHeaders.TraceParent));

        // Outside any span nothing is kept.
        Assert.Null(Activity.Current);
        Assert.Null(await ScheduledHeaders.CaptureAsync(new object(), null, CancellationToken.None));
    }

    [Fact]
    public void Database_spans_outside_any_trace_are_not_recorded_and_those_inside_one_are()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "test" or PipelineTelemetry.NpgsqlSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var database = new ActivitySource(PipelineTelemetry.NpgsqlSource);
        using var test = new ActivitySource("test");
        using var filter = new OrphanDatabaseSpanFilter();

        using (var poll = database.StartActivity("SELECT scheduled_messages"))
        {
            filter.OnStart(poll!);
            Assert.False(poll!.Recorded);
        }

        using var request = test.StartActivity("POST /api/jobs");
        using var query = database.StartActivity("INSERT training_jobs");
        filter.OnStart(query!);
        filter.OnStart(request!);
        Assert.True(query!.Recorded);
        Assert.True(request!.Recorded);
    }
}
