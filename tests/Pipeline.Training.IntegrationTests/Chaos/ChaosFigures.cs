using System.Text.Json;

namespace Pipeline.Training.IntegrationTests.Chaos;

/// <summary>One row of the chaos table (docs/RELIABILITY.md): what was done, how the job ended, what it cost.</summary>
internal sealed record ChaosFigure(
    string Fault,
    string JobStateAtFault,
    string FinalState,
    double? RecoverySeconds,
    double JobSeconds,
    int ShardTrainingsBeyondUndisturbed,
    string LostOrDuplicated,
    bool IdenticalToUndisturbed);

/// <summary>Appends figures as JSON lines to the file named by <c>PIPELINE_CHAOS_RESULTS</c> (bench/chaos.sh renders them); nothing when unset.</summary>
internal static class ChaosFigures
{
    private static readonly Lock Gate = new();

    public static void Record(ChaosFigure figure)
    {
        var path = Environment.GetEnvironmentVariable("PIPELINE_CHAOS_RESULTS");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        lock (Gate)
        {
            File.AppendAllText(path, JsonSerializer.Serialize(figure, JsonSerializerOptions.Web) + "\n");
        }
    }
}
