using System.Text.Json.Serialization;

namespace Pipeline.Deploy.Serving.Inference;

/// <summary>The Open Inference Protocol's error body: <c>{"error": "..."}</c>, one line naming the input at fault.</summary>
public sealed record InferenceError(string Error);

/// <summary><c>GET /v2</c>: the server's name, version and the protocol extensions it supports (none).</summary>
public sealed record InferenceServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary><c>GET /v2/health/live</c>.</summary>
public sealed record InferenceLiveness(bool Live);

/// <summary><c>GET /v2/health/ready</c>.</summary>
public sealed record InferenceReadiness(bool Ready);

/// <summary><c>GET /v2/models/{name}[/versions/{v}]/ready</c>.</summary>
public sealed record InferenceModelReadiness(string Name, string Version, bool Ready);

/// <summary><c>GET /v2/models/{name}[/versions/{v}]</c>: what to send and what comes back.</summary>
public sealed record InferenceModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<InferenceTensorMetadata> Inputs,
    IReadOnlyList<InferenceTensorMetadata> Outputs);

/// <summary>One tensor of the metadata; -1 is a variable dimension (the batch).</summary>
public sealed record InferenceTensorMetadata(string Name, string Datatype, IReadOnlyList<long> Shape)
{
    /// <summary>Only on <c>predict_proba</c>: the class of each column, in order (an addition to the protocol's fields).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InferenceOutputParameters? Parameters { get; init; }
}

/// <summary>The classes whose probabilities <c>predict_proba</c> holds, column by column.</summary>
public sealed record InferenceOutputParameters(IReadOnlyList<string> Classes);
