using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Deploy.Deployment;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Tests;

/// <summary>
/// Issue #20, item 5: a version's model file, ONNX file, fitted transform and model card over HTTP, with content
/// types, a strong ETag (304 on If-None-Match) and checksum headers that match the bytes (hashed here, independently).
/// </summary>
public sealed class ArtifactsApiTests(ServingHost host) : IClassFixture<ServingHost>
{
    public static TheoryData<string, string, string> Kinds => new()
    {
        { "model", ModelArtifactKeys.ModelFile, "application/octet-stream" },
        { "onnx", ModelArtifactKeys.OnnxFile, "application/octet-stream" },
        { "transform", ModelArtifactKeys.TransformFile, "application/json" },
        { "card", ModelArtifactKeys.CardFile, "application/json" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_artifact_comes_with_its_content_type_etag_and_checksums(string kind, string file, string contentType)
    {
        var stored = await host.Store.ReadAllBytesAsync("models", $"houses/1/{file}");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(stored));
        using var http = host.Client();
        foreach (var prefix in new[] { "/models", "/api/models" })
        {
            using var response = await http.GetAsync(new Uri($"{prefix}/houses/versions/1/artifacts/{kind}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(stored, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(stored.Length, response.Content.Headers.ContentLength);
            Assert.Equal(new EntityTagHeaderValue($"\"{sha256}\""), response.Headers.ETag);
            Assert.False(response.Headers.ETag!.IsWeak);
            Assert.Equal(sha256, response.Headers.GetValues("X-Checksum-Sha256").Single());
            Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(stored))}:", response.Headers.GetValues("Repr-Digest").Single());
            Assert.Equal($"houses-v1-{file}", response.Content.Headers.ContentDisposition!.FileNameStar);
            Assert.Equal($"houses-v1-{file}", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        }
    }

    [Fact]
    public async Task The_checksums_of_model_onnx_and_transform_are_those_the_card_recorded()
    {
        using var card = JsonDocument.Parse(await host.Store.ReadAllBytesAsync("models", "houses/1/card.json"));
        using var http = host.Client();
        foreach (var kind in new[] { "model", "onnx", "transform" })
        {
            using var response = await http.GetAsync(new Uri($"/models/houses/versions/1/artifacts/{kind}", UriKind.Relative));
            Assert.Equal(card.RootElement.GetProperty("artifacts").GetProperty(kind).GetProperty("sha256").GetString(), response.Headers.GetValues("X-Checksum-Sha256").Single());
        }
    }

    [Fact]
    public async Task If_none_match_with_the_etag_is_a_304_without_a_body_and_another_tag_gets_the_file()
    {
        using var http = host.Client();
        using var first = await http.GetAsync(new Uri("/models/tiers/versions/1/artifacts/onnx", UriKind.Relative));
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/models/tiers/versions/1/artifacts/onnx");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        using var other = new HttpRequestMessage(HttpMethod.Get, "/models/tiers/versions/1/artifacts/onnx");
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var changed = await http.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await changed.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/models/no-such-model/versions/1/artifacts/model", "name", "model 'no-such-model' is not registered")]
    [InlineData("/models/houses/versions/5/artifacts/model", "version", "model 'houses' has no version 5")]
    [InlineData("/models/houses/versions/latest/artifacts/model", "version", "'latest' is not a version number")]
    [InlineData("/models/houses/versions/1/artifacts/weights", "artifact", "'weights' is not an artifact; ask for one of model, onnx, transform, card")]
    public async Task Unknown_models_versions_and_artifacts_are_404_problems_naming_the_field(string path, string field, string detail)
    {
        using var http = host.Client();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        await AssertProblemAsync(response, field, detail);
    }

    [Fact]
    public async Task A_file_missing_from_the_store_is_a_404_problem_that_says_how_to_store_it_again()
    {
        // Its own model name: the other tests keep their files.
        var command = await host.Houses.StageJobAsync(host.Store, host.Houses.TrainModel(epochs: 20), "gone") with { ForceDeploy = true };
        await host.Deployer.DeployAsync(command, CancellationToken.None);
        await host.Store.DeleteAsync("models", "gone/1/model.onnx");
        await host.Store.DeleteAsync("models", "gone/1/card.json");

        using var http = host.Client();
        using var onnx = await http.GetAsync(new Uri("/models/gone/versions/1/artifacts/onnx", UriKind.Relative));
        await AssertProblemAsync(onnx, "artifact", "has no stored onnx file (model.onnx); `pipeline redeploy` of job");

        // Without the card the model file's checksum is computed from the file itself.
        var stored = await host.Store.ReadAllBytesAsync("models", "gone/1/model.pnnm");
        using var model = await http.GetAsync(new Uri("/models/gone/versions/1/artifacts/model", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), model.Headers.GetValues("X-Checksum-Sha256").Single());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
