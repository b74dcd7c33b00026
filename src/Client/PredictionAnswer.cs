using System.Text.Json.Serialization;

namespace Pipeline.Client;

/// <summary>The answer of <c>POST /predict/{model}[/{version}]</c>: one prediction per row sent, in order.</summary>
public sealed record PredictionAnswer
{
    public required string Model { get; init; }
    public required int Version { get; init; }
    public required IReadOnlyList<RowPrediction> Predictions { get; init; }

    /// <summary>Values that could not be read and were treated as missing, by row and field.</summary>
    public IReadOnlyList<PredictionWarning> Warnings { get; init; } = [];

    /// <summary>Columns sent that the model does not use (the target, columns dropped in training).</summary>
    public IReadOnlyList<string> Ignored { get; init; } = [];
}

/// <summary>A regression row has <see cref="Value"/>; a classification row has <see cref="Label"/> and the calibrated probability of every class.</summary>
public sealed record RowPrediction
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Value { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Probabilities { get; init; }
}

public sealed record PredictionWarning(int Row, string Field, string Message);

/// <summary>The body of a rollback: the version to make production (none: the one before the current), and a note of who asked.</summary>
internal sealed record RollbackRequest(int? ToVersion, string? RequestedBy);
