using System.Text;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Preprocess;

namespace Pipeline.Ingest.Tests;

/// <summary>Runs the preprocessor on CSV text in a temporary folder.</summary>
internal sealed class PreprocessTestRun : IDisposable
{
    public PreprocessTestRun(string csv, JobSpec spec, PreprocessOptions? options = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "pipeline-prep-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        InputPath = Path.Combine(Folder, "input.csv");
        File.WriteAllText(InputPath, csv, new UTF8Encoding(false));
        // As in the pipeline: Ingest's scan decides the column kinds, Preprocess reads them from the schema.
        var limits = new CsvLimits();
        DatasetSchema schema;
        using (var source = CsvSource.OpenFile(InputPath, limits, "input.csv"))
        {
            schema = DatasetSchema.From(DatasetScanner.Scan(source, spec, new ScanOptions()), limits);
        }

        var preprocessor = new Preprocessor(options ?? new PreprocessOptions(), schema);
        try
        {
            Result = preprocessor.Run(InputPath, "input.csv", spec, Path.Combine(Folder, "out"));
        }
        catch
        {
            Dispose(); // a run expected to fail must not leave its folder behind
            throw;
        }
    }

    public string Folder { get; }

    public string InputPath { get; }

    public PreprocessResult Result { get; }

    public ColumnReport Column(string name) => Result.Profile.Columns.Single(c => c.Name == name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    public static string Rows(int count, Func<int, string> row, string header) =>
        header + "\n" + string.Concat(Enumerable.Range(0, count).Select(i => row(i) + "\n"));
}
