namespace Pipeline.Tabular.Transforms;

/// <summary>
/// What the exported ONNX model takes as input: the raw features of <see cref="FeatureEncoder"/> (one float per model
/// feature, in the transform's feature order, before imputation and scaling), NaN meaning missing. Per feature: the
/// imputed value, the compression of a <c>log</c> numeric column (<see cref="LogUnit"/> 0 for every other feature) and
/// the z-score parameters the graph applies, read from the encoder itself so the graph and the encoder cannot drift apart.
/// </summary>
public sealed record RawFeatureLayout(string[] Names, float[] Impute, float[] LogShift, float[] LogUnit, float[] Mean, float[] Std)
{
    public int Count => Names.Length;

    /// <summary>Whether any feature is compressed (the graph then has the nodes for it).</summary>
    public bool HasLogFeatures => LogUnit.Any(u => u > 0);

    public static RawFeatureLayout From(FittedTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        var names = transform.FeatureNames().ToArray();
        var impute = new float[names.Length];
        var logShift = new float[names.Length];
        var logUnit = new float[names.Length];
        var mean = new float[names.Length];
        var std = new float[names.Length];
        var offset = 0;
        foreach (var column in transform.Columns)
        {
            for (var i = 0; i < column.FeatureCount; i++)
            {
                var scale = FeatureEncoder.ScaleOf(column, i);
                impute[offset + i] = (float)FeatureEncoder.ImputeOf(column, i);
                if (column.Encoding == ColumnTransform.LogCompressed)
                {
                    logShift[offset + i] = (float)column.LogShift;
                    logUnit[offset + i] = (float)column.LogUnit;
                }

                mean[offset + i] = (float)scale.Mean;
                std[offset + i] = scale.Std > 0 ? (float)scale.Std : 1f;
            }

            offset += column.FeatureCount;
        }

        return new RawFeatureLayout(names, impute, logShift, logUnit, mean, std);
    }

    /// <summary>Raw values back from scaled model features (row-major), e.g. to feed a stored test split to the ONNX model.</summary>
    public float[] Unscale(ReadOnlySpan<float> features)
    {
        var raw = new float[features.Length];
        for (var i = 0; i < features.Length; i++)
        {
            var f = i % Count;
            var x = (features[i] * (double)Std[f]) + Mean[f];
            raw[i] = LogUnit[f] > 0 ? (float)((Math.Exp(x) - 1) * LogUnit[f] + LogShift[f]) : (float)x;
        }

        return raw;
    }
}
