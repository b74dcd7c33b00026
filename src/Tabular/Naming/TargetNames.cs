using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Naming;

/// <summary>
/// The rule for a target column named in a job spec, checked when the job is submitted: the name is echoed in
/// messages and logs and stored with the job, so it is bounded and printable. A name sent as a query parameter of an
/// upload also travels in object metadata, which is ASCII.
/// </summary>
public static class TargetNames
{
    public const int MaxLength = 256;

    /// <summary>Null when <paramref name="name"/> can name a target, otherwise why not (for a 400 naming the field).</summary>
    public static string? Check(string name, bool asciiOnly)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxLength)
        {
            return $"the target name has {name.Length} characters; use 1-{MaxLength}";
        }

        if (SafeText.ContainsUnsafe(name))
        {
            return $"'{SafeText.Echo(name)}' contains a control or bidirectional-override character";
        }

        return asciiOnly && !name.All(c => c is >= ' ' and <= '~')
            ? $"'{SafeText.Echo(name)}' is not printable ASCII, which a target given with an upload must be (it is stored in the object's metadata); upload the file, then submit it with a JSON body {{\"key\": ..., \"spec\": {{\"target\": ...}}}}"
            : null;
    }
}
