using System.Net;

namespace Pipeline.Security.Tests.Access;

/// <summary>The artifact lifecycle's routes (issue #18, item 5) delete data: admin only, like redeploy and rollback.</summary>
public sealed class GcRoutesTests
{
    [Fact]
    public async Task Only_an_admin_may_sweep_the_jobs_bucket_or_check_the_registry()
    {
        await using var system = await SecuredSystem.StartAsync();
        using var anonymous = system.Anonymous();
        using var reader = system.With(await system.CreateKeyAsync("rita", "reader"));
        using var submitter = system.With(await system.CreateKeyAsync("alice", "submitter"));
        using var admin = system.Admin();

        foreach (var path in new[] { "api/gc?dryRun=true", "api/registry/gc?dryRun=true" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await RolesTests.StatusAsync(anonymous, "POST", path));
            Assert.Equal(HttpStatusCode.Forbidden, await RolesTests.StatusAsync(reader, "POST", path));
            Assert.Equal(HttpStatusCode.Forbidden, await RolesTests.StatusAsync(submitter, "POST", path));
            Assert.Equal(HttpStatusCode.OK, await RolesTests.StatusAsync(admin, "POST", path));
        }
    }
}
