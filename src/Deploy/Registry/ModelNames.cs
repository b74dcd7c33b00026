namespace Pipeline.Deploy.Registry;

/// <summary>Model names appear in object keys and URLs, so they are kept to a safe alphabet.</summary>
public static class ModelNames
{
    public const int MaxLength = 128;

    /// <summary>1-128 characters: ASCII letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name[0] != '.'
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
