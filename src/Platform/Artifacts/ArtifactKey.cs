namespace Pipeline.Platform.Artifacts;

/// <summary>
/// Validation of bucket names and object keys, shared by every store so that a key accepted by one is accepted
/// by all: no empty segments, no '.' or '..' segments (nothing escapes a local root), no backslashes, no
/// control or unprintable characters, at most 1024 UTF-8 bytes (the S3 limit).
/// </summary>
public static class ArtifactKey
{
    public const int MaxKeyBytes = 1024;

    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("Object key is empty.", nameof(key));
        }

        if (System.Text.Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new ArgumentException($"Object key is longer than {MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }

        foreach (var c in key)
        {
            if (char.IsControl(c) || c == '\\' || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
            {
                throw new ArgumentException($"Object key '{Printable(key)}' contains an unprintable or forbidden character (U+{(int)c:X4}).", nameof(key));
            }
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"Object key '{Printable(key)}' has an empty, '.' or '..' segment.", nameof(key));
            }
        }
    }

    /// <summary>Prefixes may be empty or end with '/'; otherwise the same rules as keys.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }

        Validate(prefix.EndsWith('/') ? prefix[..^1] : prefix);
    }

    /// <summary>Bucket names follow S3's rules: 3-63 characters of a-z, 0-9, '-' and '.', starting and ending alphanumeric.</summary>
    public static void ValidateBucket(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var ok = bucket.Length is >= 3 and <= 63
            && char.IsAsciiLetterLower(bucket[0]) | char.IsAsciiDigit(bucket[0])
            && char.IsAsciiLetterLower(bucket[^1]) | char.IsAsciiDigit(bucket[^1])
            && bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
            && !bucket.Contains("..", StringComparison.Ordinal);
        if (!ok)
        {
            throw new ArgumentException($"Bucket name '{Printable(bucket)}' is not valid: use 3-63 characters of a-z, 0-9, '-' and '.'.", nameof(bucket));
        }
    }

    private static string Printable(string s) =>
        string.Concat(s.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
