using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Platform.Security;

/// <summary>
/// The shape of an API key: <c>pk_{id}_{secret}</c>, the id (32 hex digits) to find the stored row, the secret
/// (43 base64url characters, 256 random bits) checked against its SHA-256. A plain hash is enough here (no salt,
/// no slow KDF): the secret is random and long, so there is nothing to guess from a leaked hash.
/// </summary>
public readonly record struct ApiKeyToken(Guid Id, string Secret)
{
    private const string Prefix = "pk_";

    public static ApiKeyToken New() => new(Guid.NewGuid(), Base64Url(RandomNumberGenerator.GetBytes(32)));

    public override string ToString() => $"{Prefix}{Id:N}_{Secret}";

    public byte[] SecretHash() => Hash(Secret);

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool TryParse(string? text, [NotNullWhen(true)] out ApiKeyToken? token)
    {
        token = null;
        if (text is null || text.Length != Prefix.Length + 32 + 1 + 43 || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[Prefix.Length + 32] != '_')
        {
            return false;
        }

        if (!Guid.TryParseExact(text.AsSpan(Prefix.Length, 32), "N", out var id))
        {
            return false;
        }

        token = new ApiKeyToken(id, text[(Prefix.Length + 33)..]);
        return true;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
