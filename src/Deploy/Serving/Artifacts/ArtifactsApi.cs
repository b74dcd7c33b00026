using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Pipeline.Contracts;
using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Registry;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Serving.Artifacts;

/// <summary>
/// <c>GET {models}/{name}/versions/{version}/artifacts/{artifact}</c> (<c>model</c>, <c>onnx</c>, <c>transform</c>,
/// <c>card</c>): a version's stored files, for any stage, to readers. The checksum is the one stored when the
/// version was deployed (the card's <c>artifacts</c>, the card's own object metadata); a version stored before
/// those existed has its file hashed in one streaming pass first.
/// </summary>
public static class ArtifactsApi
{
    /// <summary>Object metadata key of the card's SHA-256 (a card cannot hold its own hash).</summary>
    public const string Sha256Metadata = "sha256";

    public static RouteHandlerBuilder MapModelArtifacts(this IEndpointRouteBuilder models) =>
        models.MapGet("/{name}/versions/{version}/artifacts/{artifact}", DownloadAsync)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<ArtifactDownload, ProblemHttpResult>> DownloadAsync(
        string name, string version, string artifact, HttpRequest request, ModelRegistry registry, IArtifactStore store, CancellationToken ct)
    {
        if (ModelArtifactKind.Find(artifact) is not { } kind)
        {
            return Problems.Write(StatusCodes.Status404NotFound, "Unknown artifact", "artifact", $"'{Tabular.Text.SafeText.Echo(artifact)}' is not an artifact; ask for one of {string.Join(", ", ModelArtifactKind.All.Select(k => k.Name))}");
        }

        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return Problems.Write(StatusCodes.Status404NotFound, "Unknown version", "version", $"'{Tabular.Text.SafeText.Echo(version)}' is not a version number");
        }

        var record = await registry.FindAsync(name, number, ct);
        if (record is null)
        {
            return (await registry.ListAsync(name, ct)).Count == 0
                ? Problems.Write(StatusCodes.Status404NotFound, "Unknown model", "name", $"model '{Tabular.Text.SafeText.Echo(name)}' is not registered")
                : Problems.Write(StatusCodes.Status404NotFound, "Unknown version", "version", $"model '{Tabular.Text.SafeText.Echo(name)}' has no version {number}");
        }

        var key = ModelArtifactKeys.Key(record.Name, record.Version, kind.File);
        var missing = Problems.Write(StatusCodes.Status404NotFound, "Artifact missing", "artifact", $"{record.Name} v{number} has no stored {kind.Name} file ({kind.File}); `pipeline redeploy` of job {record.JobId} stores its files again");
        try
        {
            var reference = await ReferenceAsync(store, record, kind, key, ct);
            if (reference is null)
            {
                return missing;
            }

            var fileName = $"{record.Name}-v{number}-{kind.File}";
            var etag = ArtifactDownload.ETagOf(reference.Sha256);
            if (request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
            {
                return ArtifactDownload.NotModified(reference.Sha256, fileName);
            }

            // Verified as it streams: a stored file that no longer matches its checksum ends the response early
            // (the client sees a truncated transfer, never a wrong file with a right checksum).
            var content = await store.OpenVerifiedReadAsync(reference, ct);
            return ArtifactDownload.Content(content, kind.ContentType, reference.Size, reference.Sha256, fileName);
        }
        catch (ArtifactNotFoundException)
        {
            // Removed between the look and the read (a redeploy storing it again): as missing.
            return missing;
        }
    }

    /// <summary>Where the file is and its stored SHA-256 and size; null when the file is not in the store.</summary>
    private static async Task<ObjectRef?> ReferenceAsync(IArtifactStore store, ModelVersionRecord record, ModelArtifactKind kind, string key, CancellationToken ct)
    {
        var info = await store.StatAsync(record.ArtifactBucket, key, ct);
        if (info is null)
        {
            return null;
        }

        var stored = kind.CardEntry is null
            ? info.Metadata.GetValueOrDefault(Sha256Metadata)
            : await CardEntryAsync(store, record, kind.CardEntry, info.Size, ct);
        return new ObjectRef(record.ArtifactBucket, key, stored ?? await HashAsync(store, record.ArtifactBucket, key, ct), info.Size);
    }

    /// <summary>The SHA-256 the card recorded for the file when it was stored, if the card is there and agrees on the size.</summary>
    private static async Task<string?> CardEntryAsync(IArtifactStore store, ModelVersionRecord record, string entry, long size, CancellationToken ct)
    {
        try
        {
            var card = await store.OpenReadAsync(record.ArtifactBucket, ModelArtifactKeys.Key(record.Name, record.Version, ModelArtifactKeys.CardFile), ct);
            await using (card)
            {
                // The card is a few kilobytes of JSON; only its artifacts section is read.
                using var json = await JsonDocument.ParseAsync(card, cancellationToken: ct);
                return json.RootElement.TryGetProperty("artifacts", out var artifacts)
                    && artifacts.TryGetProperty(entry, out var reference)
                    && reference.TryGetProperty("size", out var stored) && stored.TryGetInt64(out var storedSize) && storedSize == size
                    && reference.TryGetProperty("sha256", out var sha) && sha.GetString() is { Length: 64 } hex
                    ? hex.ToLowerInvariant()
                    : null;
            }
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    private static async Task<string> HashAsync(IArtifactStore store, string bucket, string key, CancellationToken ct)
    {
        var stream = await store.OpenReadAsync(bucket, key, ct);
        await using (stream)
        {
            return await ArtifactStoreExtensions.ComputeSha256Async(stream, ct);
        }
    }
}
