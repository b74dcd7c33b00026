using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Pipeline.Platform.Security;

/// <summary>Who a valid token belongs to.</summary>
public sealed record ApiKeyIdentity(Guid? KeyId, string Name, string Role);

/// <summary>A key as listed (never its secret).</summary>
public sealed record ApiKeyView(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt);

/// <summary>A new key: the token is shown this once and stored only as a hash.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Role, string Token);

/// <summary>
/// Creates, lists, revokes and checks API keys. Checks are cached for <see cref="SecurityOptions.KeyCacheDuration"/>
/// per key id, so a prediction does not cost a database round trip; a revocation is seen within that time (at once
/// on the instance that revoked).
/// </summary>
public sealed class ApiKeyStore(IDbContextFactory<SecurityDbContext> contexts, IOptions<SecurityOptions> options, TimeProvider clock)
{
    /// <summary>The bootstrap admin's name in the audit trail.</summary>
    public const string AdminTokenName = "admin-token";

    private const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<Guid, (ApiKeyRecord? Record, DateTimeOffset Until)> _cache = new();
    private readonly byte[]? _adminTokenHash = options.Value.AdminToken is { Length: > 0 } t ? ApiKeyToken.Hash(t) : null;

    /// <summary>The identity <paramref name="token"/> stands for, or null when it is unknown, revoked or malformed.</summary>
    public async Task<ApiKeyIdentity?> ValidateAsync(string token, CancellationToken ct)
    {
        if (_adminTokenHash is not null && CryptographicOperations.FixedTimeEquals(ApiKeyToken.Hash(token), _adminTokenHash))
        {
            return new ApiKeyIdentity(null, AdminTokenName, PipelineRoles.Admin);
        }

        if (!ApiKeyToken.TryParse(token, out var parsed))
        {
            return null;
        }

        var record = await FindAsync(parsed.Value.Id, ct);
        return record is { RevokedAt: null } && CryptographicOperations.FixedTimeEquals(parsed.Value.SecretHash(), record.SecretHash)
            ? new ApiKeyIdentity(record.Id, record.Name, record.Role)
            : null;
    }

    /// <summary>Whether the key behind a session is still valid (revoked keys end their dashboard sessions too).</summary>
    public async Task<bool> IsActiveAsync(Guid keyId, CancellationToken ct) => await FindAsync(keyId, ct) is { RevokedAt: null };

    public async Task<CreatedApiKey> CreateAsync(string name, string role, string createdBy, CancellationToken ct)
    {
        if (!ApiKeyNames.IsValid(name))
        {
            throw new ArgumentException($"the key name must be {ApiKeyNames.Rule}", nameof(name));
        }

        if (!PipelineRoles.IsRole(role))
        {
            throw new ArgumentException($"the role must be one of {string.Join(", ", PipelineRoles.All)}", nameof(role));
        }

        var token = ApiKeyToken.New();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.ApiKeys.AnyAsync(k => k.Name == name, ct))
        {
            throw new InvalidOperationException($"a key named '{name}' exists already; revoke it or choose another name");
        }

        db.ApiKeys.Add(new ApiKeyRecord
        {
            Id = token.Id,
            Name = name,
            Role = role,
            SecretHash = token.SecretHash(),
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = createdBy,
        });
        await db.SaveChangesAsync(ct);
        return new CreatedApiKey(token.Id, name, role, token.ToString());
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync(ct);
        return [.. keys.OrderBy(k => k.Name, StringComparer.Ordinal).Select(k => new ApiKeyView(k.Id, k.Name, k.Role, k.CreatedAt, k.CreatedBy, k.RevokedAt))];
    }

    /// <summary>Revokes the key with this id or name; false when there is none.</summary>
    public async Task<ApiKeyView?> RevokeAsync(string idOrName, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var record = Guid.TryParse(idOrName, out var id)
            ? await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct)
            : await db.ApiKeys.SingleOrDefaultAsync(k => k.Name == idOrName, ct);
        if (record is null)
        {
            return null;
        }

        record.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        _cache.TryRemove(record.Id, out _);
        return new ApiKeyView(record.Id, record.Name, record.Role, record.CreatedAt, record.CreatedBy, record.RevokedAt);
    }

    private async Task<ApiKeyRecord?> FindAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Until > now)
        {
            return cached.Record;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var record = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, ct);

        // Unknown ids are cached too (briefly), so random tokens cannot make every request a database query; the
        // cache is bounded, so they cannot grow it without limit either.
        if (_cache.Count >= MaxCachedKeys)
        {
            _cache.Clear();
        }

        _cache[id] = (record, now + options.Value.KeyCacheDuration);
        return record;
    }
}
