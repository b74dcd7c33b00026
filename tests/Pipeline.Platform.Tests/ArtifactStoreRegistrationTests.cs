using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Platform.Tests;

public class ArtifactStoreRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddArtifactStore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public void Local_is_the_default_with_a_root_under_the_current_directory()
    {
        using var services = Build([]);
        var store = Assert.IsType<LocalFolderArtifactStore>(services.GetRequiredService<IArtifactStore>());
        Assert.Equal(Path.GetFullPath(ArtifactStoreOptions.DefaultRoot), store.Root);
        Assert.Same(store, services.GetRequiredService<IArtifactStore>());
    }

    [Fact]
    public void Settings_bind_from_the_Pipeline_Storage_section_as_environment_variables_name_them()
    {
        var root = Path.Combine(Path.GetTempPath(), "pipeline-root-" + Guid.NewGuid().ToString("N"));
        using var services = Build(new() { ["Pipeline:Storage:Provider"] = "LOCAL", ["Pipeline:Storage:Root"] = root });
        var store = Assert.IsType<LocalFolderArtifactStore>(services.GetRequiredService<IArtifactStore>());
        Assert.Equal(root, store.Root);
    }

    [Fact]
    public async Task A_bad_s3_endpoint_fails_on_first_use_not_at_registration()
    {
        using var services = Build(new()
        {
            ["Pipeline:Storage:Provider"] = "s3",
            ["Pipeline:Storage:Endpoint"] = "not a host:99999",
            ["Pipeline:Storage:AccessKey"] = "k",
            ["Pipeline:Storage:SecretKey"] = "s",
            ["Pipeline:Storage:UseSsl"] = "false",
        });
        var store = Assert.IsType<S3ArtifactStore>(services.GetRequiredService<IArtifactStore>());
        await Assert.ThrowsAnyAsync<Exception>(() => store.StatAsync("bucket", "key"));
    }

    [Fact]
    public async Task Missing_s3_settings_say_which_setting_is_missing()
    {
        using var services = Build(new() { ["Pipeline:Storage:Provider"] = "s3" });
        var store = services.GetRequiredService<IArtifactStore>();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.StatAsync("bucket", "key"));
        Assert.Contains("Pipeline:Storage:Endpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_is_refused_when_the_store_is_resolved()
    {
        using var services = Build(new() { ["Pipeline:Storage:Provider"] = "ftp" });
        var e = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IArtifactStore>());
        Assert.Contains("ftp", e.Message, StringComparison.Ordinal);
    }
}
