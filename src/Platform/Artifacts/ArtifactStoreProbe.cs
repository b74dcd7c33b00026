using System.Net.Sockets;
using Minio.Exceptions;
using Pipeline.Platform.Messaging.Outages;

namespace Pipeline.Platform.Artifacts;

/// <summary>
/// The S3 endpoint as a dependency messages wait for: a failure that reaching it gives (HTTP, socket, I/O, time-out,
/// an SDK error other than "no such object") may be its outage; it answers when it answers a bucket listing, even
/// with an error. The local folder store has no outage to wait for.
/// </summary>
internal sealed class ArtifactStoreProbe(IArtifactStore store) : IDependencyProbe
{
    public string Dependency => "object store";

    public bool MayHaveCaused(Exception exception) =>
        store is S3ArtifactStore
        && (ExceptionChain.Contains<HttpRequestException>(exception)
            || ExceptionChain.Contains<SocketException>(exception)
            || ExceptionChain.Contains<IOException>(exception)
            || ExceptionChain.Contains<TimeoutException>(exception)
            || ExceptionChain.Contains<OperationCanceledException>(exception)
            || ExceptionChain.Contains<MinioException>(exception, e => e is not (ObjectNotFoundException or BucketNotFoundException)));

    public Task<bool> AnswersAsync(CancellationToken cancellationToken) =>
        store is S3ArtifactStore s3 ? s3.AnswersAsync(cancellationToken) : Task.FromResult(true);
}
