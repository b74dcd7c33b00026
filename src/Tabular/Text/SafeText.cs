using System.Globalization;
using System.Text;

namespace Pipeline.Tabular.Text;

/// <summary>
/// The one way a value that came from outside (a column name, a cell, a file name, a key, a reason) is echoed into an
/// error message, an API answer or a log line: shortened to <see cref="MaxEchoLength"/> characters with "…", and
/// every character that could forge a line or reorder text escaped (newline as <c>\n</c>, other controls and the
/// bidirectional overrides as <c>\uXXXX</c>). A 3-million-line field or a name with newlines then stays one short
/// line wherever it is shown.
/// </summary>
public static class SafeText
{
    /// <summary>Characters of a value kept in a message; the rest is cut and marked with "…".</summary>
    public const int MaxEchoLength = 200;

    /// <summary>Most characters of a short free-text field a client sends (a cancel reason, <c>requestedBy</c>).</summary>
    public const int MaxReasonLength = 200;

    /// <summary>Shortened and escaped for a message (see the type's summary); null stays empty.</summary>
    public static string Echo(ReadOnlySpan<char> value, int maxLength = MaxEchoLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var cut = value.Length > maxLength;
        var kept = cut ? value[..(char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength)] : value;
        if (!cut && !ContainsUnsafe(kept))
        {
            return kept.ToString();
        }

        var text = new StringBuilder(kept.Length + 8);
        for (var i = 0; i < kept.Length; i++)
        {
            var c = kept[i];
            if (char.IsHighSurrogate(c) && i + 1 < kept.Length && char.IsLowSurrogate(kept[i + 1]))
            {
                text.Append(c).Append(kept[++i]);
                continue;
            }

            switch (c)
            {
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return cut ? text.Append('…').ToString() : text.ToString();
    }

    /// <inheritdoc cref="Echo(ReadOnlySpan{char}, int)"/>
    public static string Echo(string? value, int maxLength = MaxEchoLength) => Echo(value.AsSpan(), maxLength);

    /// <summary>
    /// A C0 or C1 control character, a bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069),
    /// or a lone surrogate: never accepted in names and keys, always escaped when echoed.
    /// </summary>
    public static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' || char.IsSurrogate(c);

    /// <summary>Whether any character is <see cref="IsUnsafe"/> (surrogate pairs, i.e. valid emoji, are fine).</summary>
    public static bool ContainsUnsafe(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Null when <paramref name="value"/> is a usable short text (at most <paramref name="maxLength"/> characters, no
    /// <see cref="IsUnsafe"/> character), otherwise why not, for a 400 that names the field.
    /// </summary>
    public static string? CheckShortText(string value, int maxLength = MaxReasonLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > maxLength)
        {
            return $"is {value.Length} characters long; at most {maxLength} are allowed";
        }

        return ContainsUnsafe(value)
            ? $"'{Echo(value)}' contains a control or bidirectional-override character; use printable text"
            : null;
    }
}
