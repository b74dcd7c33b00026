using Pipeline.Platform.Hosting;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>Wrong settings give one line naming the setting and the address, never a hang or a stack trace.</summary>
public sealed class StartupErrorTests
{
    [Fact]
    public async Task A_wrong_RabbitMQ_password_names_the_setting()
    {
        var settings = LocalStack.Settings();
        settings["Pipeline:Transport"] = "rabbitmq";
        settings["Pipeline:RabbitMq:Password"] = "wrong-password";
        settings["Pipeline:Database:Provider"] = "sqlite";
        settings["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".db")}";

        var error = await StartAndCatch(settings);
        Assert.Contains("Pipeline:RabbitMq:Username / Password", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5672", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_names_the_address()
    {
        var settings = LocalStack.Settings();
        settings["Pipeline:Transport"] = "rabbitmq";
        settings["Pipeline:RabbitMq:Port"] = "1";
        settings["Pipeline:RabbitMq:StartupTimeout"] = "00:00:01";
        settings["Pipeline:Database:Provider"] = "sqlite";
        settings["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".db")}";

        var error = await StartAndCatch(settings);
        Assert.Contains("Cannot reach RabbitMQ at amqp://127.0.0.1:1/", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:RabbitMq:Host / Port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_names_the_setting_and_address_without_the_password()
    {
        var settings = LocalStack.Settings();
        settings["Pipeline:Transport"] = "inmemory";
        settings["Pipeline:Database:Provider"] = "postgres";
        settings["Pipeline:Database:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=pipeline;Username=pipeline;Password=secret-xyz;Timeout=2";

        var error = await StartAndCatch(settings);
        Assert.Contains("Pipeline:Database:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1/pipeline", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-xyz", error.Message, StringComparison.Ordinal);
    }

    private static async Task<StartupException> StartAndCatch(Dictionary<string, string?> settings)
    {
        using var host = CounterHost.Build(settings);
        var ex = await Record.ExceptionAsync(() => host.StartAsync());
        Assert.NotNull(ex);
        return Assert.IsType<StartupException>(PipelineHost.Unwrap(ex));
    }
}
