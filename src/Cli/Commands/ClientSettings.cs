using System.Text.Json;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Where the verbs that talk to a running system find it and what they prove themselves with, first match wins:
/// the address from <c>--url</c>, <c>PIPELINE_URL</c>, the config file's <c>url</c>, or http://127.0.0.1:5080; the
/// API key from <c>PIPELINE_TOKEN</c> or the config file's <c>token</c> (never a command-line option: those end up
/// in shell history and process lists). The config file is <c>PIPELINE_CONFIG</c>, or
/// <c>$XDG_CONFIG_HOME/pipeline/config.json</c> (<c>~/.config/pipeline/config.json</c>):
/// <c>{"url": "https://pipeline.example", "token": "pk_..."}</c>.
/// </summary>
internal sealed record ClientSettings(string Url, string UrlSource, string? Token)
{
    public const string UrlVariable = "PIPELINE_URL";
    public const string TokenVariable = "PIPELINE_TOKEN";
    public const string ConfigVariable = "PIPELINE_CONFIG";

    public static ClientSettings Resolve(string? urlOption)
    {
        var file = ReadConfigFile();
        var environment = NonEmpty(Environment.GetEnvironmentVariable(UrlVariable));
        var (url, source) = urlOption is not null ? (urlOption, "--url")
            : environment is not null ? (environment, UrlVariable)
            : file.Url is not null ? (file.Url, ConfigPath())
            : (ApiHttp.DefaultUrl, "the default");
        var token = NonEmpty(Environment.GetEnvironmentVariable(TokenVariable)) ?? file.Token;
        return new ClientSettings(url, source, token);
    }

    public static string ConfigPath()
    {
        if (NonEmpty(Environment.GetEnvironmentVariable(ConfigVariable)) is { } path)
        {
            return path;
        }

        var home = NonEmpty(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME"))
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(home, "pipeline", "config.json");
    }

    private static (string? Url, string? Token) ReadConfigFile()
    {
        var path = ConfigPath();
        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return (StringOf(doc.RootElement, "url"), StringOf(doc.RootElement, "token"));
        }
        catch (JsonException ex)
        {
            throw new UsageException($"the config file {path} is not valid JSON ({ex.Message}); it holds {{\"url\": ..., \"token\": ...}}.");
        }
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? NonEmpty(value.GetString()) : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
