using Pipeline.Ingest.Schema;
using Pipeline.Preprocess.Transforms;

namespace Pipeline.Deploy.Onnx;

/// <summary>
/// What the exported ONNX model takes as input: one float per model feature, in the transform's feature order, but
/// before scaling and imputation: a numeric column's raw number, a boolean as 0/1, a date as (days since 1970,
/// month 1-12, day of week 0 = Sunday), a categorical column one-hot. NaN means missing and is imputed in the graph
/// exactly as the transform does. Per feature: the imputed value and the z-score parameters (0 and 1 when unscaled).
/// </summary>
public sealed record RawFeatureLayout(string[] Names, float[] Impute, float[] Mean, float[] Std)
{
    public int Count => Names.Length;

    public static RawFeatureLayout From(FittedTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        var names = transform.FeatureNames().ToArray();
        var impute = new float[names.Length];
        var mean = new float[names.Length];
        var std = new float[names.Length];
        Array.Fill(std, 1f);
        var offset = 0;
        foreach (var column in transform.Columns)
        {
            switch (column.Kind)
            {
                case ColumnKind.Numeric:
                    impute[offset] = (float)column.Impute;
                    break;
                case ColumnKind.Boolean:
                    impute[offset] = (float)column.Impute;
                    break;
                case ColumnKind.Date:
                    var date = ValueParser.FromDays(column.Impute);
                    impute[offset] = (float)column.Impute;
                    impute[offset + 1] = date.Month;
                    impute[offset + 2] = (int)date.DayOfWeek;
                    break;
                case ColumnKind.Categorical:
                    var categories = column.Categories ?? [];
                    for (var i = 0; i < categories.Count; i++)
                    {
                        impute[offset + i] = categories[i] == column.ImputeCategory ? 1f : 0f;
                    }

                    break;
                default:
                    break;
            }

            var scales = column.Scales ?? [];
            for (var i = 0; i < scales.Count; i++)
            {
                mean[offset + i] = (float)scales[i].Mean;
                std[offset + i] = scales[i].Std > 0 ? (float)scales[i].Std : 1f;
            }

            offset += column.FeatureCount;
        }

        return new RawFeatureLayout(names, impute, mean, std);
    }

    /// <summary>Raw values back from scaled model features (row-major), e.g. to feed a stored test split to the ONNX model.</summary>
    public float[] Unscale(ReadOnlySpan<float> features)
    {
        var raw = new float[features.Length];
        for (var i = 0; i < features.Length; i++)
        {
            var f = i % Count;
            raw[i] = (features[i] * Std[f]) + Mean[f];
        }

        return raw;
    }
}
