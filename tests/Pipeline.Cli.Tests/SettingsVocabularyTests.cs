using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.TrainWorker;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Ingest accepts a job's words (activation, optimizer, init) before it starts; the worker turns them into the
/// engine's settings hours later. Both sides are hosted by the CLI, so this is where a word one side knows and the
/// other does not is caught.
/// </summary>
public class SettingsVocabularyTests
{
    [Fact]
    public void Every_word_ingest_accepts_is_understood_by_the_training_worker()
    {
        foreach (string activation in TrainingSettingsBounds.Activations)
        {
            _ = ModelSpecs.Network(5, 1, TaskKind.Regression, new TrainingSettings { Activation = activation });
        }

        foreach (string optimizer in TrainingSettingsBounds.Optimizers)
        {
            _ = ModelSpecs.Trainer(new TrainingSettings { Optimizer = optimizer }, TaskKind.Regression, round: 1, shard: 0);
        }

        foreach (string merge in TrainingSettingsBounds.Merges)
        {
            _ = ModelSpecs.ServerOptimizer(new TrainingSettings { Merge = merge });
        }

        foreach (string initialisation in TrainingSettingsBounds.Initialisations)
        {
            _ = ModelSpecs.InitialisationOf(new TrainingSettings { Initialisation = initialisation });
        }
    }
}
