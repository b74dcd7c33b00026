using Pipeline.Tabular.Text;

namespace Pipeline.Tabular.Csv;

/// <summary>
/// The data cannot be used, for a reason a person can act on. The message names the file and, where it applies,
/// the line and the column: <c>houses.csv: line 17, column 'price': 'abc' is not a number ...</c>.
/// Thrown by readers and validators; consumers turn it into <c>DatasetRejected</c> / <c>PreprocessingFailed</c>.
/// </summary>
public sealed class DatasetValidationException : Exception
{
    /// <summary>Characters of a message at most (it becomes a job's failure reason, shown in lists and logs).</summary>
    public const int MaxMessageLength = 2000;

    public DatasetValidationException(string file, string problem, long? line = null, string? column = null)
        : base(Format(file, problem, line, column))
    {
        File = file;
        Problem = problem;
        Line = line;
        Column = column;
    }

    public DatasetValidationException()
    {
        File = Problem = string.Empty;
    }

    public DatasetValidationException(string message)
        : base(message)
    {
        File = string.Empty;
        Problem = message;
    }

    public DatasetValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Problem = message;
    }

    public string File { get; }

    public string Problem { get; }

    /// <summary>1-based line of the file where the problem is, when it is on a line.</summary>
    public long? Line { get; }

    public string? Column { get; }

    private static string Format(string file, string problem, long? line, string? column)
    {
        var where = (line, column) switch
        {
            ({ } l, { } c) => $"line {l}, column '{SafeText.Echo(c)}': ",
            ({ } l, null) => $"line {l}: ",
            (null, { } c) => $"column '{SafeText.Echo(c)}': ",
            _ => string.Empty,
        };

        // The problem is written by us, but values from the file inside it are echoed already; the whole is still
        // bounded (and escaped) so that no message can carry a field of the file whole.
        return SafeText.Echo($"{SafeText.Echo(file)}: {where}{problem}", MaxMessageLength);
    }
}
