using System.Net;
using static Pipeline.Security.Tests.Access.RolesTests;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// Issue #20, items 2 and 5, with API keys on: the Open Inference Protocol routes answer the predictor role as
/// <c>/predict</c> does (its health endpoints are open, as <c>/health/*</c> are), and the artifact downloads answer
/// readers as the rest of the registry does. An unknown model's 404 shows the caller got past authorization.
/// </summary>
public sealed class InferenceAndArtifactsAccessTests
{
    private const string Infer = """{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]}]}""";

    [Fact]
    public async Task Inference_protocol_is_for_predictors_and_artifacts_for_readers()
    {
        await using var system = await SecuredSystem.StartAsync();
        using var anonymous = system.Anonymous();
        using var reader = system.With(await system.CreateKeyAsync("rita", "reader"));
        using var predictor = system.With(await system.CreateKeyAsync("pred-svc", "predictor"));

        foreach (var (method, path) in new[]
        {
            ("GET", "models/m/versions/1/artifacts/model"), ("GET", "api/models/m/versions/1/artifacts/card"),
            ("GET", "v2"), ("GET", "v2/models/m"), ("GET", "v2/models/m/versions/1/ready"), ("POST", "v2/models/m/infer"),
        })
        {
            var content = method == "POST" ? Json(Infer) : null;
            Assert.True(await StatusAsync(anonymous, method, path, content) == HttpStatusCode.Unauthorized, $"anonymous {method} /{path}");
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "GET", "v2/health/live"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "GET", "v2/health/ready"));

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(reader, "GET", "models/m/versions/1/artifacts/onnx"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "POST", "v2/models/m/infer", Json(Infer)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "GET", "v2/models/m"));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(predictor, "GET", "models/m/versions/1/artifacts/onnx"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(predictor, "POST", "v2/models/m/infer", Json(Infer)));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(predictor, "GET", "v2/models/m/versions/2"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(predictor, "GET", "v2"));
    }
}
