using System.Globalization;
using Pipeline.Contracts;

namespace Pipeline.Tabular.Planning;

/// <summary>
/// The automatic training plan: every training setting a job leaves on auto is chosen from the data size, and every
/// choice says why. The rules (documented in docs/TRAINING.md, "The automatic plan"):
/// <list type="bullet">
/// <item>shards: one per <see cref="MinRowsPerShard"/> training rows, at most <see cref="MaxAutoShards"/>: one worker
///   passes over a million rows in about a second, and averaging costs accuracy at a fixed budget (measured on real
///   flight delays, 800,000 training rows, 38 epochs: test MSE +1.1 % with 2 shards, +2.1 % with 4, +4.4 % with 8;
///   docs/TRAINING.md), so the plan shards only data that is large for one worker;</item>
/// <item>local epochs: enough passes per round that a round sees at least <see cref="MinSamplesPerRound"/> rows, so
///   a few hundred rows do not pay a round's coordination per pass; one pass from 4,096 training rows up;</item>
/// <item>batch size: about 1/125 of the training rows as a power of two, between 32 and 256, so small data still
///   gets tens of updates per pass;</item>
/// <item>learning rate: Adam's 0.001 (the default of PyTorch, Keras and scikit-learn), lowered by the plateau
///   schedule;</item>
/// <item>weight decay: none (<see cref="DefaultWeightDecay"/>): measured mixed;</item>
/// <item>patience: 20 epochs under 10,000 training rows (small validation splits are noisy), 10 under 100,000, 5
///   above; the minimum budget is the same number of epochs;</item>
/// <item>rounds: enough for <see cref="SampleBudget"/> training samples (at least 30 epochs, at most 2,000):
///   a ceiling that early stopping normally never reaches;</item>
/// <item>merge: plain averaging for one shard; for several shards under the plateau schedule, FedAvgM with server
///   momentum 1 − 1/K (measured closer to one worker's quality per round than plain averaging on 1M rows of flight
///   delays; with a learning rate that never decays it measured worse, so plain averaging there).</item>
/// </list>
/// </summary>
public static class TrainingPlanner
{
    public const int MinRowsPerShard = 1_000_000;
    public const int MaxAutoShards = 4;
    public const int MinSamplesPerRound = 4_096;
    public const int MaxAutoLocalEpochs = 10;
    public const long SampleBudget = 30_000_000;
    public const double DefaultLearningRate = 0.001;

    /// <summary>
    /// The L2 penalty (AdamW: decoupled rate) the plan gives a job: none. 0.01 was measured over the report's and the
    /// hold-out sets and helped some, hurt others (docs/TRAINING.md, "Weight decay"); early stopping is the regulariser.
    /// </summary>
    public const double DefaultWeightDecay = 0;
    private const string WeightDecayReason = "none: early stopping regularises; an L2 penalty of 0.01 helped the smallest sets and hurt others (measured: docs/TRAINING.md, \"Weight decay\")";

    /// <summary>The merge scheme the plan picks for several shards, and its server learning rate.</summary>
    public const string ShardedMerge = "fedavgm";
    public const double ShardedServerLearningRate = 1;

    /// <summary>
    /// The server momentum for <paramref name="shards"/> shards: 1 − 1/K, so the server's steps add up to K times the
    /// averaged update, as far as one worker would have moved over all the data in the round (each shard passes over
    /// 1/K of it); 0 for one shard, where FedAvgM is plain training.
    /// </summary>
    public static double ShardedServerMomentum(int shards) => 1 - (1.0 / Math.Max(1, shards));
    private const string ShardedMergeReason = "several shards: server momentum on the averaged update (FedAvgM), measured closer to one worker's quality than plain averaging";

    /// <summary>FedAdam's server learning rate and β₁ when a job asks for fedadam without them (Reddi et al. 2021).</summary>
    public const double FedAdamLearningRate = 0.01;
    public const double FedAdamMomentum = 0.9;

    /// <summary>Share of the file's rows Preprocess keeps for training by default (10 % validation, 10 % test).</summary>
    public const double TypicalTrainShare = 0.8;

    /// <summary>The settings with every auto value chosen, and one <see cref="PlanChoice"/> per setting.</summary>
    public static (TrainingSettings Settings, IReadOnlyList<PlanChoice> Plan) Resolve(TrainingSettings asked, long fileRows)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var train = Math.Max(1, (long)Math.Round(fileRows * TypicalTrainShare));
        var rows = $"{train.ToString("N0", CultureInfo.InvariantCulture)} training rows (80 % of {fileRows.ToString("N0", CultureInfo.InvariantCulture)})";
        var plan = new List<PlanChoice>();

        var shards = Choose(plan, "shards", asked.Shards, TrainingSettings.Auto,
            () => (int)Math.Clamp(train / MinRowsPerShard, 1, MaxAutoShards),
            v => v == 1
                ? $"{rows}: no sharding below {2 * MinRowsPerShard:N0} training rows (one shard per {MinRowsPerShard:N0}, at most {MaxAutoShards})"
                : $"{rows}: one shard per {MinRowsPerShard:N0} training rows, at most {MaxAutoShards}");
        var perShard = Math.Max(1, train / shards);

        var epochs = Choose(plan, "epochs", asked.LocalEpochs, TrainingSettings.Auto,
            () => (int)Math.Clamp((MinSamplesPerRound + perShard - 1) / perShard, 1, MaxAutoLocalEpochs),
            v => v == 1
                ? "one pass per round: the validation loss is measured after every epoch"
                : $"{perShard:N0} rows per shard: {v} passes per round so a round sees at least {MinSamplesPerRound:N0} rows (coordination costs per round)");

        var batch = Choose(plan, "batch-size", asked.BatchSize, TrainingSettings.Auto,
            () => (int)Math.Clamp(FloorPowerOfTwo(perShard / 125), 32, 256),
            v => $"about 1/125 of {perShard:N0} rows per shard, a power of two in 32..256: {Math.Max(1, (perShard + v - 1) / v):N0} updates per pass");

        var learningRate = asked.LearningRate > 0 ? asked.LearningRate : DefaultLearningRate;
        plan.Add(asked.LearningRate > 0
            ? Given("learning-rate", learningRate)
            : new PlanChoice("learning-rate", Text(learningRate), true, "Adam's usual starting rate (PyTorch, Keras and scikit-learn default); the schedule lowers it"));

        var weightDecay = asked.WeightDecay >= 0 ? asked.WeightDecay : DefaultWeightDecay;
        plan.Add(asked.WeightDecay >= 0
            ? Given("weight-decay", weightDecay)
            : new PlanChoice("weight-decay", Text(weightDecay), true, WeightDecayReason));

        var schedule = string.Equals(asked.LearningRateSchedule, "auto", StringComparison.OrdinalIgnoreCase) ? "plateau" : asked.LearningRateSchedule.ToLowerInvariant();
        plan.Add(schedule == asked.LearningRateSchedule.ToLowerInvariant()
            ? new PlanChoice("lr-schedule", schedule, false, "given by the job")
            : new PlanChoice("lr-schedule", schedule, true, "halve the learning rate after half the patience without improvement, so training settles instead of stopping on a noisy plateau"));

        var patience = Choose(plan, "patience", asked.Patience, -1,
            () => train < 10_000 ? 20 : train < 100_000 ? 10 : 5,
            v => $"{rows}: stop after {v} epochs without a better validation loss (longer for small, noisy validation splits) and keep the best checkpoint");

        var minEpochs = Choose(plan, "min-epochs", asked.MinEpochs, TrainingSettings.Auto,
            () => Math.Max(patience, 1),
            v => $"train at least {v} epochs before early stopping may end training");

        var rounds = Choose(plan, "rounds", asked.Rounds, TrainingSettings.Auto,
            () => (int)Math.Ceiling(Math.Clamp((double)SampleBudget / train, Math.Max(30, minEpochs), 2_000) / epochs),
            v => $"a ceiling of {(long)v * epochs:N0} epochs ({SampleBudget / 1_000_000}M samples for {rows}); early stopping normally ends training first");

        // The plateau schedule (with early stopping) is what damps the server momentum's amplified steps at the end.
        var (merge, serverLearningRate, serverMomentum) = ChooseMerge(plan, asked, shards, decays: schedule == "plateau" && patience > 0);

        var settings = asked with
        {
            Merge = merge,
            ServerLearningRate = serverLearningRate,
            ServerMomentum = serverMomentum,
            Shards = shards,
            LocalEpochs = epochs,
            BatchSize = batch,
            LearningRate = learningRate,
            WeightDecay = weightDecay,
            LearningRateSchedule = schedule,
            Patience = patience,
            MinEpochs = minEpochs,
            Rounds = rounds,
        };
        return (settings, plan);
    }

    /// <summary>
    /// The merge scheme and the server optimizer's learning rate and momentum: plain averaging for one shard (the
    /// merge is then the shard's model: plain training) and for a learning rate that never decays; otherwise, for
    /// several shards, the scheme measured best (docs/TRAINING.md, "Convergence with K shards").
    /// </summary>
    private static (string Merge, double LearningRate, double Momentum) ChooseMerge(List<PlanChoice> plan, TrainingSettings asked, int shards, bool decays)
    {
        var askedMerge = asked.Merge.ToLowerInvariant();
        var merge = askedMerge != "auto" ? askedMerge : shards == 1 || !decays ? "fedavg" : ShardedMerge;
        plan.Add(askedMerge != "auto"
            ? new PlanChoice("merge", merge, false, "given by the job")
            : new PlanChoice("merge", merge, true, shards == 1
                ? "one shard: the merge is the shard's model, i.e. plain training"
                : !decays
                    ? "a learning rate that never decays: server momentum would amplify the noise of the averaged update to the end (measured worse), so plain averaging"
                    : ShardedMergeReason));

        // fedavg ignores both; the values shown are the ones that make the other schemes equal to it.
        var plain = merge == "fedavg";
        var learningRate = asked.ServerLearningRate > 0 ? asked.ServerLearningRate
            : plain ? 1 : merge == "fedadam" ? FedAdamLearningRate : ShardedServerLearningRate;
        plan.Add(asked.ServerLearningRate > 0
            ? Given("server-lr", learningRate)
            : new PlanChoice("server-lr", Text(learningRate), true, plain ? "plain averaging: the round's update taken as it is" : $"measured with {merge} (docs/TRAINING.md)"));
        var momentum = asked.ServerMomentum >= 0 ? asked.ServerMomentum
            : plain ? 0 : merge == "fedadam" ? FedAdamMomentum : ShardedServerMomentum(shards);
        plan.Add(asked.ServerMomentum >= 0
            ? Given("server-momentum", momentum)
            : new PlanChoice("server-momentum", Text(momentum), true, plain ? "plain averaging: no server momentum"
                : merge == "fedavgm" ? $"1 - 1/K for {shards} shards: the server's steps add up to K averaged updates, about one worker's progress over all the data"
                : $"measured with {merge} (docs/TRAINING.md)"));
        return (merge, learningRate, momentum);
    }

    private static int Choose(List<PlanChoice> plan, string name, int asked, int auto, Func<int> choose, Func<int, string> why)
    {
        if (asked != auto)
        {
            plan.Add(Given(name, asked));
            return asked;
        }

        var value = choose();
        plan.Add(new PlanChoice(name, Text(value), true, why(value)));
        return value;
    }

    private static PlanChoice Given(string name, double value) => new(name, Text(value), false, "given by the job");

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static long FloorPowerOfTwo(long value) => value < 1 ? 1 : 1L << (63 - (int)long.LeadingZeroCount(value));
}
