using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Pipeline.Platform.Artifacts;

/// <summary>
/// The artifact store on any S3 endpoint (MinIO in production, s3rver locally) through the Minio SDK 7.0.0.
/// <list type="bullet">
/// <item>Put: a stream of unknown length goes up in 16 MiB parts (the SDK's multipart upload holds one part at a
/// time); a seekable stream's remaining length is passed on so that the SDK sizes its parts for it. The SDK caps a
/// stream of unknown length at 10,000 x 5 MiB (about 48.8 GiB); a longer one is refused, never stored cut short.</item>
/// <item>The SDK keeps one part alive at a time, but allocates ~48 MiB per 16 MiB part (a fresh array, then copies
/// of the request body) and the runtime let that large-object garbage reach ~240 MiB during a 1 GiB upload. The
/// stream handed to the SDK therefore starts a background (non-blocking) full collection after each part read,
/// which kept a 1 GiB upload's peak near 120 MiB. The SDK's part-level API
/// is not public in 7.0.0, so parts cannot be fed from pooled buffers without re-implementing S3 signing.</item>
/// <item>Get: the SDK hands the response body to a callback; it is bridged to the returned stream through a
/// bounded pipe (a few MiB), so nothing holds the whole object; an error after the first byte ends the read with
/// that error. One GET returns one whole version of the object, so a concurrent overwrite never mixes two. Ranged
/// GETs are not used (the SDK's WithOffsetAndLength is broken in 7.0.0).</item>
/// <item>Nothing connects before the first call: a bad endpoint or credentials surface there.</item>
/// </list>
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    private const string MetaPrefix = "x-amz-meta-";
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();
    private static readonly PipeOptions PipeOptions = new(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, minimumSegmentSize: 64 << 10, useSynchronizationContext: false);

    private readonly Lazy<IMinioClient> _client;

    public S3ArtifactStore(ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new ArtifactStoreOptions
        {
            Provider = options.Provider,
            Endpoint = options.Endpoint,
            AccessKey = options.AccessKey,
            SecretKey = options.SecretKey,
            UseSsl = options.UseSsl,
            CaCertificatePath = options.CaCertificatePath,
            Region = options.Region,
        };
        _client = new Lazy<IMinioClient>(() => CreateClient(settings), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Wraps an existing client (tests, or a host that configures the SDK itself).</summary>
    public S3ArtifactStore(IMinioClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = new Lazy<IMinioClient>(client);
    }

    private IMinioClient Client => _client.Value;

    /// <summary>
    /// Whether the endpoint answers now (a bucket listing, within 5 s): any answer, an error response included, is
    /// true; no connection, a broken one or no answer in time is false.
    /// </summary>
    public async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await Client.ListBucketsAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is ConnectionException or HttpRequestException or System.Net.Sockets.SocketException or IOException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
        catch (MinioException)
        {
            return true; // it answered, with an error (credentials, permissions): reachable
        }
    }

    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ArtifactKey.ValidateBucket(bucket);
        if (await Client.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), cancellationToken).ConfigureAwait(false);
        }
        catch (MinioException)
        {
            // created concurrently by someone else: fine; anything else: rethrow
            if (!await Client.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    public async Task<ArtifactInfo> PutAsync(string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        Validate(bucket, key);
        ArtifactKey.ValidateMetadata(metadata);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in metadata ?? NoMetadata)
        {
            headers[MetaPrefix + name] = value;
        }

        var size = content.CanSeek ? Math.Max(0, content.Length - content.Position) : -1;
        var args = new PutObjectArgs()
            .WithBucket(bucket)
            .WithObject(key)
            .WithStreamData(size is < 0 or > 16 << 20 ? new CollectingReadStream(content) : content)
            .WithObjectSize(size)
            .WithContentType("application/octet-stream")
            .WithHeaders(headers);
        try
        {
            await Client.PutObjectAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketNotFoundException)
        {
            throw new ArtifactBucketNotFoundException(bucket);
        }

        if (size < 0 && await HasMoreAsync(content, cancellationToken).ConfigureAwait(false))
        {
            await DeleteAsync(bucket, key, CancellationToken.None).ConfigureAwait(false);
            throw new NotSupportedException($"Object '{bucket}/{key}': a stream of unknown length over the SDK's limit for such streams cannot be uploaded; pass a seekable stream (known length) instead.");
        }

        return await StatAsync(bucket, key, cancellationToken).ConfigureAwait(false)
            ?? throw new IOException($"Object '{bucket}/{key}' was uploaded but cannot be found.");
    }

    public async Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Validate(bucket, key);
        var pipe = new Pipe(PipeOptions);
        var abort = new CancellationTokenSource();
        var bodyStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var args = new GetObjectArgs()
            .WithBucket(bucket)
            .WithObject(key)
            .WithCallbackStream(async (body, ct) =>
            {
                bodyStarted.TrySetResult();
                await PumpAsync(body, pipe.Writer, ct).ConfigureAwait(false);
            });

        var transfer = Task.Run(async () =>
        {
            try
            {
                await Client.GetObjectAsync(args, abort.Token).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var mapped = e is ObjectNotFoundException or BucketNotFoundException ? new ArtifactNotFoundException(bucket, key) : e;
                bodyStarted.TrySetException(mapped);
                await pipe.Writer.CompleteAsync(mapped).ConfigureAwait(false);
            }
        }, CancellationToken.None);

        try
        {
            // The SDK stats first: a missing object fails here, before the caller gets a stream.
            await bodyStarted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await abort.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            _ = transfer.ContinueWith(_ => abort.Dispose(), TaskScheduler.Default);
            throw;
        }

        return new PipeBackedReadStream(pipe.Reader.AsStream(), abort, transfer);
    }

    public async Task<ArtifactInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Validate(bucket, key);
        try
        {
            var stat = await Client.StatObjectAsync(new StatObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken).ConfigureAwait(false);
            return new ArtifactInfo(bucket, key, stat.Size, ToUtc(stat.LastModified), stat.ETag, UserMetadata(stat.MetaData));
        }
        catch (Exception e) when (e is ObjectNotFoundException or BucketNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string bucket, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKey.ValidateBucket(bucket);
        ArtifactKey.ValidatePrefix(prefix);
        if (!await Client.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken).ConfigureAwait(false))
        {
            yield break;
        }

        // S3 and MinIO list in UTF-8 byte order (= ordinal order for valid keys, which have no surrogates), but
        // not every endpoint does (s3rver walks its folders): collect and sort, as the local store does.
        var args = new ListObjectsArgs().WithBucket(bucket).WithPrefix(prefix).WithRecursive(true);
        var items = new List<ArtifactInfo>();
        await foreach (var item in Client.ListObjectsEnumAsync(args, cancellationToken).ConfigureAwait(false))
        {
            if (item.IsDir)
            {
                continue;
            }

            var modified = item.LastModifiedDateTime is { } t ? ToUtc(t) : DateTimeOffset.MinValue;
            items.Add(new ArtifactInfo(bucket, item.Key, checked((long)item.Size), modified, item.ETag, NoMetadata));
        }

        items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var item in items)
        {
            yield return item;
        }
    }

    public async Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Validate(bucket, key);
        try
        {
            await Client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectNotFoundException or BucketNotFoundException)
        {
            // absent already
        }
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    /// <summary>The SDK client the settings describe (TLS from the endpoint's scheme or UseSsl; a CA bundle when given).</summary>
    internal static IMinioClient CreateClient(ArtifactStoreOptions options)
    {
        var endpoint = options.Endpoint;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            throw new InvalidOperationException($"{ArtifactStoreOptions.SectionName}:Endpoint is not set (host:port of the S3 endpoint).");
        }

        if (string.IsNullOrEmpty(options.AccessKey) || string.IsNullOrEmpty(options.SecretKey))
        {
            throw new InvalidOperationException($"{ArtifactStoreOptions.SectionName}:AccessKey and :SecretKey must be set for the S3 store.");
        }

        var useSsl = options.UseSsl;
        endpoint = endpoint.Trim();
        if (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            useSsl = true;
            endpoint = endpoint["https://".Length..];
        }
        else if (endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            useSsl = false;
            endpoint = endpoint["http://".Length..];
        }

        var client = new MinioClient()
            .WithEndpoint(endpoint.TrimEnd('/'))
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithSSL(useSsl);
        if (!string.IsNullOrWhiteSpace(options.CaCertificatePath))
        {
            if (!useSsl)
            {
                throw new InvalidOperationException($"{ArtifactStoreOptions.SectionName}:CaCertificatePath is set but the S3 endpoint '{options.Endpoint}' is plain http: set {ArtifactStoreOptions.SectionName}:UseSsl=true or write the endpoint as https://host:port.");
            }

            var bundle = Tls.TrustedCertificates.LoadBundle(options.CaCertificatePath, $"{ArtifactStoreOptions.SectionName}:CaCertificatePath");
            var handler = new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = Tls.TrustedCertificates.Validator(bundle) },
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            };
            client = client.WithHttpClient(new HttpClient(handler, disposeHandler: true), disposeHttpClient: true);
        }

        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            client = client.WithRegion(options.Region);
        }

        return client.Build();
    }

    private static async Task PumpAsync(Stream body, PipeWriter writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var memory = writer.GetMemory(64 << 10);
            var read = await body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            writer.Advance(read);
            var flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return; // the reader went away: stop reading the body, the SDK drops the connection
            }
        }
    }

    private static async Task<bool> HasMoreAsync(Stream content, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        return await content.ReadAsync(probe, cancellationToken).ConfigureAwait(false) > 0;
    }

    private static IReadOnlyDictionary<string, string> UserMetadata(IReadOnlyDictionary<string, string> all)
    {
        // The SDK strips "x-amz-meta-" and mixes in a few standard headers (Content-Type and the like), which
        // ArtifactKey.ValidateMetadata keeps out of user metadata names.
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in all)
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("content-", StringComparison.Ordinal) || lower.StartsWith("x-", StringComparison.Ordinal) || lower is "cache-control" or "expires")
            {
                continue;
            }

            result[lower] = value;
        }

        return result;
    }

    private static DateTimeOffset ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => new DateTimeOffset(time, TimeSpan.Zero),
        DateTimeKind.Local => new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc), TimeSpan.Zero),
    };

    private static void Validate(string bucket, string key)
    {
        ArtifactKey.ValidateBucket(bucket);
        ArtifactKey.Validate(key);
    }

    /// <summary>Passes reads through; every 16 MiB (one part) it asks for a full collection (see the class notes).</summary>
    private sealed class CollectingReadStream(Stream inner) : Stream
    {
        private const long Interval = 16L << 20; // the SDK's part size for streams of unknown length
        private long _sinceCollect;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Account(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Account(inner.Read(buffer));
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Account(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Account(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Account(int read)
        {
            _sinceCollect += read;
            if (_sinceCollect >= Interval)
            {
                _sinceCollect = 0;
                GC.Collect(2, GCCollectionMode.Forced, blocking: false, compacting: false); // background: no pause for the host
            }

            return read;
        }
    }

    /// <summary>The reading end of the pipe; disposing it early stops the download.</summary>
    private sealed class PipeBackedReadStream(Stream inner, CancellationTokenSource abort, Task transfer) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                if (!transfer.IsCompleted)
                {
                    abort.Cancel();
                }

                _ = transfer.ContinueWith(_ => abort.Dispose(), TaskScheduler.Default);
            }

            base.Dispose(disposing);
        }
    }
}
