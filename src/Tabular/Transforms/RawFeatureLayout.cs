namespace Pipeline.Tabular.Transforms;

/// <summary>
/// What the exported ONNX model takes as input: the raw features of <see cref="FeatureEncoder"/> (one float per model
/// feature, in the transform's feature order, before imputation and scaling), NaN meaning missing. Per feature: the
/// imputed value and the z-score parameters the graph applies, read from the encoder itself so the graph and the
/// encoder cannot drift apart.
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
        var offset = 0;
        foreach (var column in transform.Columns)
        {
            for (var i = 0; i < column.FeatureCount; i++)
            {
                var scale = FeatureEncoder.ScaleOf(column, i);
                impute[offset + i] = (float)FeatureEncoder.ImputeOf(column, i);
                mean[offset + i] = (float)scale.Mean;
                std[offset + i] = scale.Std > 0 ? (float)scale.Std : 1f;
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
