using Pipeline.Tabular.Naming;
using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Tests;

/// <summary>Issue #17: input echoed into messages and logs stays one short line; names refuse what would forge it.</summary>
public class SafeTextTests
{
    [Fact]
    public void Newlines_controls_and_bidi_overrides_are_escaped()
    {
        Assert.Equal("a\\nINFO forged\\r\\t\\u202Egpj\\u0000\\u0085", SafeText.Echo("a\nINFO forged\r\t\u202Egpj\0\u0085"));
    }

    [Fact]
    public void A_long_value_is_cut_with_an_ellipsis()
    {
        var echoed = SafeText.Echo(new string('x', 5_000));
        Assert.Equal(SafeText.MaxEchoLength + 1, echoed.Length);
        Assert.EndsWith("…", echoed, StringComparison.Ordinal);
    }

    [Fact]
    public void Ordinary_text_and_whole_emoji_are_kept_as_they_are()
    {
        Assert.Equal("prix Zürich 😀", SafeText.Echo("prix Zürich 😀"));
        Assert.False(SafeText.ContainsUnsafe("prix Zürich 😀"));
        Assert.True(SafeText.ContainsUnsafe("lone \uD800 surrogate"));
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var echoed = SafeText.Echo("ab😀", maxLength: 3);
        Assert.Equal("ab…", echoed);
    }

    [Theory]
    [InlineData("ok", true)]
    [InlineData("ok\nforged", false)]
    [InlineData("x\u2067y", false)]
    public void Short_text_must_be_printable(string text, bool usable) =>
        Assert.Equal(usable, SafeText.CheckShortText(text) is null);

    [Fact]
    public void Short_text_has_a_length_limit()
    {
        Assert.Null(SafeText.CheckShortText(new string('r', SafeText.MaxReasonLength)));
        Assert.Contains("at most", SafeText.CheckShortText(new string('r', SafeText.MaxReasonLength + 1)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("price", true, true)]
    [InlineData("prix_€", true, false)]
    [InlineData("prix_€", false, true)]
    [InlineData("", false, false)]
    [InlineData("a\u202Eb", false, false)]
    public void Target_names_are_bounded_printable_and_ascii_where_they_go_into_metadata(string name, bool asciiOnly, bool usable) =>
        Assert.Equal(usable, TargetNames.Check(name, asciiOnly) is null);

    [Fact]
    public void A_target_name_over_the_limit_is_refused()
    {
        Assert.Null(TargetNames.Check(new string('t', TargetNames.MaxLength), asciiOnly: true));
        Assert.NotNull(TargetNames.Check(new string('t', TargetNames.MaxLength + 1), asciiOnly: false));
    }
}
