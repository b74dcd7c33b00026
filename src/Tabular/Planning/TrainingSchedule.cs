using Pipeline.Contracts;

namespace Pipeline.Tabular.Planning;

/// <summary>
/// When training stops and what learning rate each round uses, as pure functions of the settings and the validation
/// losses so far, so the saga needs no extra state and a restarted orchestrator decides the same way.
/// </summary>
public static class TrainingSchedule
{
    /// <summary>A validation loss must fall by this share of the best so far to count as an improvement (not noise).</summary>
    public const double MinRelativeImprovement = 1e-4;

    /// <summary>
    /// ... and by at least this much: the losses are per row on standardised targets (MSE) or in nats (log-loss),
    /// where 1e-4 is no difference anyone can use. Without it a separable classification set improves "relatively"
    /// forever (log-loss 1e-9, 1e-10, ...) while the logits grow without bound, until they overflow (penguins: 107
    /// rounds, validation loss 6e-17, NaN test log-loss).
    /// </summary>
    public const double MinAbsoluteImprovement = 1e-4;

    /// <summary>Learning-rate halvings at most (1/1024 of the start).</summary>
    public const int MaxHalvings = 10;

    public static bool IsImprovement(double loss, double? best) =>
        best is not { } b || loss < b - Math.Max(MinRelativeImprovement * Math.Abs(b), MinAbsoluteImprovement);

    /// <summary>
    /// Training ends after <see cref="TrainingSettings.Rounds"/> rounds, or once <see cref="TrainingSettings.Patience"/>
    /// epochs have passed without improvement and at least <see cref="TrainingSettings.MinEpochs"/> epochs were trained.
    /// </summary>
    public static bool IsLastRound(int round, int roundsWithoutImprovement, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var epochsPerRound = Math.Max(1, settings.LocalEpochs);
        return round >= settings.Rounds
            || (settings.Patience > 0
                && (long)round * epochsPerRound >= settings.MinEpochs
                && (long)roundsWithoutImprovement * epochsPerRound >= settings.Patience);
    }

    /// <summary>
    /// The learning rate for the next round. Plateau schedule: halved each time half the patience (in epochs, at least
    /// one round) passes without improvement; it never goes back up. Constant otherwise.
    /// </summary>
    public static double LearningRate(IEnumerable<double> validationLosses, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(validationLosses);
        ArgumentNullException.ThrowIfNull(settings);
        if (!string.Equals(settings.LearningRateSchedule, "plateau", StringComparison.OrdinalIgnoreCase) || settings.Patience <= 0)
        {
            return settings.LearningRate;
        }

        var epochsPerRound = Math.Max(1, settings.LocalEpochs);
        var roundsPerStep = Math.Max(1, (int)Math.Ceiling(settings.Patience / 2.0 / epochsPerRound));
        double? best = null;
        int since = 0, halvings = 0;
        foreach (var loss in validationLosses)
        {
            if (IsImprovement(loss, best))
            {
                since = 0;
            }
            else if (++since % roundsPerStep == 0)
            {
                halvings++;
            }

            best = best is { } b ? Math.Min(b, loss) : loss;
        }

        return settings.LearningRate * Math.Pow(0.5, Math.Min(halvings, MaxHalvings));
    }
}
