namespace Pipeline.Platform.Artifacts;

/// <summary>
/// Validation of bucket names and object keys, shared by every store so that a key accepted by one is accepted
/// by all: no empty segments, no '.' or '..' segments (nothing escapes a local root), no backslashes, no
/// control, bidirectional-override or unprintable characters, at most 1024 UTF-8 bytes (the S3 limit) and at most
/// 255 bytes per segment (a file name's limit on every common file system, so the local store can hold every key).
/// </summary>
public static class ArtifactKey
{
    public const int MaxKeyBytes = 1024;

    public const int MaxSegmentBytes = 255;

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
            if (IsForbidden(c))
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

            if (System.Text.Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
            {
                throw new ArgumentException($"Object key '{Printable(key)}' has a segment (between '/') longer than {MaxSegmentBytes} UTF-8 bytes.", nameof(key));
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

    /// <summary>Most metadata a store accepts for one object, keys and values together, in UTF-8 bytes (S3's limit).</summary>
    public const int MaxMetadataBytes = 2048;

    /// <summary>
    /// User metadata must survive an S3 round trip unchanged: keys are 1-128 characters of a-z, 0-9 and '-',
    /// starting with a letter or digit, and not names that S3 treats as headers ('content-*', 'cache-control',
    /// 'expires', 'x-*'); values are printable ASCII without leading or trailing blanks. All of it together is at
    /// most <see cref="MaxMetadataBytes"/> bytes.
    /// </summary>
    public static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        var total = 0;
        foreach (var (name, value) in metadata)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(metadata));
            var ok = name.Length is >= 1 and <= 128
                && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
                && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
                && !name.StartsWith("content-", StringComparison.Ordinal)
                && !name.StartsWith("x-", StringComparison.Ordinal)
                && name is not ("cache-control" or "expires");
            if (!ok)
            {
                throw new ArgumentException($"Metadata key '{Printable(name)}' is not valid: use 1-128 characters of a-z, 0-9 and '-', not 'content-*', 'x-*', 'cache-control' or 'expires'.", nameof(metadata));
            }

            if (value is null || value.Any(c => c is < ' ' or > '~') || value.Trim().Length != value.Length)
            {
                throw new ArgumentException($"Metadata value of '{name}' must be printable ASCII without leading or trailing blanks.", nameof(metadata));
            }

            total += name.Length + value.Length;
        }

        if (total > MaxMetadataBytes)
        {
            throw new ArgumentException($"Metadata is larger than {MaxMetadataBytes} bytes.", nameof(metadata));
        }
    }

    /// <summary>
    /// C0/C1 controls, surrogates, backslash, noncharacters, and the bidirectional embeddings, overrides and isolates
    /// (U+202A–U+202E, U+2066–U+2069) that make a key display as another one. (Platform sits below Tabular, so this
    /// is the key's own rule; Tabular's SafeText escapes the same controls when it echoes text.)
    /// </summary>
    private static bool IsForbidden(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is '\\' or '\uFFFE' or '\uFFFF' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>The key as shown in an error: forbidden characters as \uXXXX, cut after 200 characters.</summary>
    private static string Printable(string s)
    {
        var shown = string.Concat(s.Take(200).Select(c => IsForbidden(c) ? $"\\u{(int)c:X4}" : c.ToString()));
        return s.Length > 200 ? shown + "…" : shown;
    }
}
