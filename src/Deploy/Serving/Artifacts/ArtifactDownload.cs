using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Pipeline.Deploy.Serving.Artifacts;

/// <summary>
/// A stored artifact streamed to the client from the artifact store (never buffered whole), with a strong
/// <c>ETag</c> (its SHA-256), <c>Repr-Digest</c> (RFC 9530) and <c>X-Checksum-Sha256</c>; or a 304 when the
/// client's <c>If-None-Match</c> already names it.
/// </summary>
public sealed class ArtifactDownload : IResult, IEndpointMetadataProvider
{
    private readonly Stream? _content;
    private readonly string _contentType;
    private readonly long _size;
    private readonly string _sha256;
    private readonly string _fileName;

    private ArtifactDownload(Stream? content, string contentType, long size, string sha256, string fileName)
    {
        _content = content;
        _contentType = contentType;
        _size = size;
        _sha256 = sha256;
        _fileName = fileName;
    }

    /// <summary>The strong entity tag of content with this SHA-256 (lower-case hex).</summary>
    public static EntityTagHeaderValue ETagOf(string sha256) => new($"\"{sha256}\"");

    public static ArtifactDownload Content(Stream content, string contentType, long size, string sha256, string fileName) =>
        new(content, contentType, size, sha256, fileName);

    public static ArtifactDownload NotModified(string sha256, string fileName) =>
        new(null, string.Empty, 0, sha256, fileName);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var headers = response.GetTypedHeaders();
        headers.ETag = ETagOf(_sha256);
        response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(_sha256))}:";
        response.Headers["X-Checksum-Sha256"] = _sha256;
        if (_content is null)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        await using (_content)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = _contentType;
            response.ContentLength = _size;
            // Both filename (what curl -J reads) and filename* (RFC 6266, for any name).
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(_fileName);
            headers.ContentDisposition = disposition;
            await _content.CopyToAsync(response.Body, httpContext.RequestAborted);
        }
    }

    /// <summary>For the OpenAPI document: the file (binary or JSON) and the 304.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["application/octet-stream", "application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void), []));
    }
}
