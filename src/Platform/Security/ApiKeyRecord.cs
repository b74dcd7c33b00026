namespace Pipeline.Platform.Security;

/// <summary>One API key as stored: never the token itself, only the SHA-256 of its secret.</summary>
public sealed class ApiKeyRecord
{
    public Guid Id { get; set; }

    /// <summary>Who or what holds the key ("ci", "alice"); unique; what the audit trail records.</summary>
    public required string Name { get; set; }

    public required string Role { get; set; }

    public required byte[] SecretHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
