using System.Text.RegularExpressions;

namespace Pipeline.Platform.Security;

/// <summary>Key names: what the audit trail shows, so short and plain (letters, digits, <c>. _ - @</c>).</summary>
public static partial class ApiKeyNames
{
    public const int MaxLength = 64;

    public const string Rule = "1 to 64 characters: ASCII letters, digits, '.', '_', '-' or '@', starting with a letter or digit";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
