namespace Pipeline.Numerics.Threading;

/// <summary>
/// A unit of parallel work run by <see cref="WorkerPool"/>. An interface on a reused object (rather than a
/// delegate capturing locals) keeps a parallel dispatch free of heap allocations.
/// </summary>
internal interface IParallelBody
{
    /// <summary>Runs task <paramref name="taskIndex"/>; tasks must be independent of each other.</summary>
    void Run(int taskIndex);
}
