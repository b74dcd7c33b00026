using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics;

/// <summary>Federated averaging: combines models trained on different shards into one.</summary>
public static class ModelAveraging
{
    /// <summary>
    /// The sample-weighted mean of the models' parameters, θ = Σ nᵢθᵢ / Σ nᵢ, summed in double in list order so
    /// the merge is deterministic. All models must share one architecture; models with 0 samples count for nothing.
    /// </summary>
    public static Network WeightedAverage(IReadOnlyList<(Network Model, long Samples)> models)
    {
        if (models.Count == 0)
        {
            throw new ArgumentException("Nothing to average.", nameof(models));
        }

        var spec = models[0].Model.Spec;
        long totalSamples = 0;
        foreach (var (model, samples) in models)
        {
            if (!model.Spec.Equals(spec))
            {
                throw new ArgumentException($"Cannot average {model.Spec} with {spec}.", nameof(models));
            }

            ArgumentOutOfRangeException.ThrowIfNegative(samples, nameof(models));
            totalSamples += samples;
        }

        if (totalSamples == 0)
        {
            throw new ArgumentException("The models saw no samples in total.", nameof(models));
        }

        var sums = new double[spec.ParameterCount()];
        foreach (var (model, samples) in models)
        {
            var parameters = model.Parameters;
            for (int i = 0; i < sums.Length; i++)
            {
                sums[i] += (double)samples * parameters[i];
            }
        }

        var averaged = new float[sums.Length];
        for (int i = 0; i < sums.Length; i++)
        {
            averaged[i] = (float)(sums[i] / totalSamples);
        }

        return Network.FromParameters(spec, averaged, models[0].Model.Backend);
    }
}
