using System.Diagnostics;
using System.Text;
using Pipeline.Contracts;
using Pipeline.Preprocess;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Ingest.Tests;

/// <summary>
/// Issue #17: preprocessing a file of very many columns and few rows costs memory in proportion to the data, and a
/// cancelled run stops within seconds, also in the middle of a wide file.
/// </summary>
public sealed class WidePreprocessingTests : IDisposable
{
    private const int Columns = 100_000;
    private const int Rows = 30;
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-wide-").FullName;

    [Fact]
    public void Fitting_100000_columns_of_30_rows_allocates_in_proportion_to_the_data()
    {
        var (input, schema) = WideFile();
        var spec = new JobSpec { Target = "y", Task = TaskKind.Regression, Training = new TrainingSettings { Shards = 1 } };
        var before = GC.GetAllocatedBytesForCurrentThread();
        new Preprocessor(new PreprocessOptions(), schema).Run(input, "wide.csv", spec, Path.Combine(_folder, "out"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Two samples of 10 000 doubles per column up front were 160 KB a column, 16 GB here, before a single value
        // was read. What is left grows with the 30 values a column has: well under a tenth of that per column.
        var bound = Columns * 16L * 1024;
        Assert.True(allocated < bound, $"allocated {allocated >> 20} MB, more than {bound >> 20} MB");
    }

    [Fact]
    public void A_cancelled_run_stops_within_seconds_in_the_middle_of_a_wide_file()
    {
        var (input, schema) = WideFile();
        var spec = new JobSpec { Target = "y", Task = TaskKind.Regression, Training = new TrainingSettings { Shards = 1 } };
        using var cancel = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var run = Task.Run(() => new Preprocessor(new PreprocessOptions(), schema).Run(input, "wide.csv", spec, Path.Combine(_folder, "cancelled"), cancel.Token));
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        var error = Assert.ThrowsAny<OperationCanceledException>(() => run.GetAwaiter().GetResult());
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {watch.Elapsed}");
    }

    private (string Input, DatasetSchema Schema) WideFile()
    {
        var random = new Random(5);
        var text = new StringBuilder(Columns * 4 * (Rows + 1));
        text.AppendJoin(',', Enumerable.Range(0, Columns - 1).Select(c => $"c{c}")).Append(",y\n");
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Columns; c++)
            {
                text.Append(c == 0 ? "" : ",").Append(random.Next(100));
            }

            text.Append('\n');
        }

        var input = Path.Combine(_folder, "wide.csv");
        File.WriteAllText(input, text.ToString());
        var limits = new CsvLimits { MaxColumns = Columns };
        using var source = CsvSource.OpenFile(input, limits, "wide.csv");
        var spec = new JobSpec { Target = "y", Task = TaskKind.Regression };
        return (input, DatasetSchema.From(DatasetScanner.Scan(source, spec, new ScanOptions()), limits));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
