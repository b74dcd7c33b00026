using Pipeline.Ingest.Spec;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Ingest;

/// <summary>Ingest settings, bound from <c>Pipeline:Ingest</c>. Every default is documented in docs/INGEST.md.</summary>
public sealed class IngestOptions
{
    public const string Section = "Pipeline:Ingest";

    /// <summary>The drop zone watched for new data files.</summary>
    public string Bucket { get; set; } = "ingest";

    /// <summary>Only keys under this prefix are data files (empty: the whole bucket).</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Rejected files are moved here (same bucket), with the reason in their metadata; never watched.</summary>
    public string RejectedPrefix { get; set; } = "rejected/";

    /// <summary>Where accepted data sets are stored once, by content: <c>{datasetId}/data.csv[.gz]</c> or <c>{datasetId}/data.parquet</c>.</summary>
    public string DatasetsBucket { get; set; } = "datasets";

    /// <summary>How often the bucket is listed; zero turns the listing off (MinIO notifications only).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a submit waits for the broker to take its <c>SubmitTrainingJob</c> before answering 503 with
    /// Retry-After (the upload is kept; the same bytes submitted again name the same job). Short: a client waits on it.
    /// </summary>
    public TimeSpan SubmitSendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Retry-After a 503 for an unreachable broker suggests.</summary>
    public TimeSpan SubmitRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most bytes of a file as stored (compressed for a .gz); also the most an upload to <c>POST /api/jobs</c> may send.</summary>
    public long MaxFileBytes { get; set; } = new CsvLimits().MaxFileBytes;

    /// <summary>Most bytes of a file once decompressed (a small gzip must not expand without bound).</summary>
    public long MaxDecompressedBytes { get; set; } = new CsvLimits().MaxDecompressedBytes;

    /// <summary>Most bytes of one record: a line, or the lines one quoted field spans.</summary>
    public int MaxLineBytes { get; set; } = new CsvLimits().MaxLineBytes;

    /// <summary>Most columns of a data file.</summary>
    public int MaxColumns { get; set; } = new CsvLimits().MaxColumns;

    /// <summary>Most data rows of a data file.</summary>
    public long MaxRows { get; set; } = new CsvLimits().MaxRows;

    /// <summary>
    /// Most parameters (weights and biases) of the network a job asks for, counted with one input per feature column
    /// (encoding adds more): the hidden layers times the features must not ask for more memory than a worker has.
    /// </summary>
    public long MaxParameters { get; set; } = ModelSize.DefaultMaxParameters;

    public double NonNumericTolerance { get; set; } = new ScanOptions().NonNumericTolerance;

    public int MaxClasses { get; set; } = new ScanOptions().MaxClasses;

    /// <summary>RabbitMQ exchange MinIO publishes bucket notifications to (MinIO's <c>notify_amqp</c> <c>exchange</c>).</summary>
    public string MinioExchange { get; set; } = "minio-events";

    /// <summary>Type of that exchange; must match MinIO's <c>exchange_type</c>.</summary>
    public string MinioExchangeType { get; set; } = "fanout";

    /// <summary>Binding key for a direct or topic exchange (MinIO's <c>routing_key</c>).</summary>
    public string MinioRoutingKey { get; set; } = string.Empty;

    /// <summary>Queue (receive endpoint) that consumes the MinIO events.</summary>
    public string MinioEndpoint { get; set; } = "ingest-minio-events";

    /// <summary>Folder for downloaded files while they are validated; the system temp folder when empty.</summary>
    public string? WorkFolder { get; set; }

    public CsvLimits Limits => new()
    {
        MaxFileBytes = MaxFileBytes,
        MaxDecompressedBytes = MaxDecompressedBytes,
        MaxLineBytes = MaxLineBytes,
        MaxColumns = MaxColumns,
        MaxRows = MaxRows,
    };

    public ScanOptions Scan => new() { NonNumericTolerance = NonNumericTolerance, MaxClasses = MaxClasses };
}
