using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Deploy.Registry;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// The models this instance serves. Production versions are one reference per name: a request reads it once and
/// uses that model to the end, so each response comes from exactly one version; a swap loads the new version
/// first and then replaces the reference in one write, so no request waits on a load and none sees a half-loaded
/// model. Other versions (asked for by number) are loaded on demand and kept in a small bounded cache.
/// </summary>
public sealed class ModelCache(ModelRegistry registry, ModelLoader loader, IOptions<DeployOptions> options, ILogger<ModelCache> logger)
{
    private readonly ConcurrentDictionary<string, ServedModel> _production = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, int Version), Lazy<Task<ServedModel>>> _versions = new();

    /// <summary>Names whose production version is loaded here (for readiness and diagnostics).</summary>
    public IReadOnlyCollection<string> LoadedProductionNames => [.. _production.Keys];

    /// <summary>The production version of <paramref name="name"/>, loading it on first use; null when there is none.</summary>
    public async ValueTask<ServedModel?> GetProductionAsync(string name, CancellationToken cancellationToken)
    {
        if (_production.TryGetValue(name, out var model))
        {
            return model;
        }

        var record = await registry.FindProductionAsync(name, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var loaded = await GetVersionCoreAsync(name, record.Version);

        // A swap that happened while this was loading wins: it carries a newer decision.
        return _production.GetOrAdd(name, loaded);
    }

    /// <summary>A specific version (any stage); null when the registry does not have it.</summary>
    public async ValueTask<ServedModel?> GetVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        if (_production.TryGetValue(name, out var production) && production.Version == version)
        {
            return production;
        }

        if (!_versions.ContainsKey((name, version)) && await registry.FindAsync(name, version, cancellationToken) is null)
        {
            return null;
        }

        return await GetVersionCoreAsync(name, version);
    }

    /// <summary>
    /// Called when the registry's production version of <paramref name="name"/> changed (ModelDeployed,
    /// ModelRolledBack): loads what the registry now says is production, then swaps it in. Asking the registry
    /// rather than trusting the event keeps the right version when events arrive out of order.
    /// </summary>
    public async Task RefreshProductionAsync(string name, CancellationToken cancellationToken)
    {
        var record = await registry.FindProductionAsync(name, cancellationToken);
        if (record is null)
        {
            _production.TryRemove(name, out _);
            return;
        }

        if (_production.TryGetValue(name, out var current) && current.Version == record.Version)
        {
            return;
        }

        var loaded = await GetVersionCoreAsync(name, record.Version);
        _production[name] = loaded;
        logger.LogInformation("Serving {Model} v{Version} (was v{Previous})", name, loaded.Version, current?.Version);
    }

    private Task<ServedModel> GetVersionCoreAsync(string name, int version)
    {
        var lazy = _versions.GetOrAdd((name, version), key => new Lazy<Task<ServedModel>>(() => LoadAsync(key.Name, key.Version)));
        TrimVersions();
        return lazy.Value;
    }

    private async Task<ServedModel> LoadAsync(string name, int version)
    {
        try
        {
            // Not the request's token: a load shared by several requests must not die with the first one's client.
            return await loader.LoadAsync(name, version, CancellationToken.None);
        }
        catch
        {
            _versions.TryRemove((name, version), out _); // let a later request try again
            throw;
        }
    }

    private void TrimVersions()
    {
        var limit = Math.Max(options.Value.Serving.MaxCachedVersions, 1);
        if (_versions.Count <= limit)
        {
            return;
        }

        var serving = _production.Values.Select(m => (m.Name, m.Version)).ToHashSet();
        foreach (var key in _versions.Keys.Where(k => !serving.Contains(k)).Take(_versions.Count - limit))
        {
            _versions.TryRemove(key, out _);
        }
    }
}
