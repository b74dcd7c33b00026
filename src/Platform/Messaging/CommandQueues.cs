namespace Pipeline.Platform.Messaging;

/// <summary>
/// The queue each command is sent to. Commands have exactly one handler (a competing-consumer pool), so they are
/// sent to its queue rather than published; the consumers' endpoint definitions use the same names.
/// </summary>
public static class CommandQueues
{
    public const string SubmitTrainingJob = "submit-training-job";
    public const string ValidateDataset = "validate-dataset";
    public const string PreprocessDataset = "preprocess-dataset";
    public const string TrainShard = "train-shard";
    public const string MergeRound = "merge-round";
    public const string DeployModel = "deploy-model";
    public const string RollbackModel = "rollback-model";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
