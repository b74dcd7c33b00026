using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// Why a prediction request was refused, in terms both serving protocols can write: <c>/predict</c> as a problem
/// body naming the field, the Open Inference Protocol as its <c>{"error": "..."}</c>.
/// </summary>
public sealed record PredictionRefusal(int Status, string Title, string Field, string Detail, IReadOnlyList<FieldError>? Errors = null)
{
    public ProblemHttpResult ToProblem() => Problems.Write(Status, Title, Field, Detail, Errors);

    /// <summary>One line: the detail (which names the field), and how many more problems the request had.</summary>
    public string OneLine() => Errors is { Count: > 1 } ? $"{Detail} (and {Errors.Count - 1} more)" : Detail;
}
