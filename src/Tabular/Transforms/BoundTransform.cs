using Pipeline.Tabular.Csv;

namespace Pipeline.Tabular.Transforms;

/// <summary>A <see cref="FittedTransform"/> bound to the column positions of one file, applied row by row without allocating.</summary>
public sealed class BoundTransform
{
    private readonly int[] _ordinals;

    internal BoundTransform(FittedTransform transform, int[] ordinals)
    {
        Transform = transform;
        _ordinals = ordinals;
        FeatureCount = transform.FeatureCount;
    }

    public FittedTransform Transform { get; }

    public int FeatureCount { get; }

    public void Apply(CsvRow row, Span<float> features)
    {
        var offset = 0;
        var columns = Transform.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (column.Kind == Schema.ColumnKind.Numeric && row.TryNumber(_ordinals[i], out var number))
            {
                features[offset++] = FeatureEncoder.Number(column, number); // fast path; same result as Encode
                continue;
            }

            offset += FeatureEncoder.Encode(column, row[_ordinals[i]], features[offset..]);
        }
    }
}
