using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// Makes <c>Logging:Console:FormatterName</c> (<c>json</c>, <c>systemd</c>, <c>simple</c>) work on our hosts.
/// <c>WebApplication.CreateSlimBuilder</c> registers the console with <c>AddSimpleConsole()</c>, whose
/// "FormatterName = simple" runs after the configuration is bound and so overwrote the setting: JSON logs were
/// asked for and never came. The JSON formatter includes scopes (the job id a consumer logs under) unless
/// <c>Logging:Console:FormatterOptions:IncludeScopes</c> says false.
/// </summary>
public static class ConsoleLogFormat
{
    public const string FormatterNameKey = "Logging:Console:FormatterName";
    public const string IncludeScopesKey = "Logging:Console:FormatterOptions:IncludeScopes";

    public static ILoggingBuilder HonourConsoleFormatterSetting(this ILoggingBuilder logging)
    {
        // Registers the json and systemd formatters too (AddSimpleConsole registers only its own).
        logging.AddConsole();
        logging.Services.AddOptions<ConsoleLoggerOptions>().PostConfigure<IConfiguration>((o, configuration) =>
        {
            if (configuration[FormatterNameKey] is { Length: > 0 } name)
            {
                o.FormatterName = name.Trim().ToLowerInvariant();
            }
        });
        logging.Services.AddOptions<JsonConsoleFormatterOptions>().PostConfigure<IConfiguration>((o, configuration) =>
            o.IncludeScopes = configuration.GetValue(IncludeScopesKey, defaultValue: true));
        return logging;
    }
}
