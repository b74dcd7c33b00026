using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Messaging.Outages;

namespace Pipeline.Platform.Artifacts;

public static class ArtifactStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IArtifactStore"/> as a singleton chosen by <c>Pipeline:Storage:Provider</c>
    /// (<c>local</c> or <c>s3</c>). Nothing is checked or connected here: a bad setting surfaces when the store
    /// is first resolved (provider) or used (endpoint, credentials).
    /// </summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ArtifactStoreOptions>().Bind(configuration.GetSection(ArtifactStoreOptions.SectionName));
        services.TryAddSingleton<IArtifactStore>(sp => Create(sp.GetRequiredService<IOptions<ArtifactStoreOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDependencyProbe, ArtifactStoreProbe>());
        return services;
    }

    /// <summary>Builds the store the options ask for.</summary>
    public static IArtifactStore Create(ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider?.Trim().ToUpperInvariant() switch
        {
            null or "" or "LOCAL" => new LocalFolderArtifactStore(options.Root, options.FlushToDisk),
            "S3" => new S3ArtifactStore(options),
            _ => throw new InvalidOperationException($"Unknown artifact store provider '{options.Provider}' in {ArtifactStoreOptions.SectionName}:Provider: use 'local' or 's3'."),
        };
    }
}
