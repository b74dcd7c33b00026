namespace Pipeline.Platform.Messaging.Outages;

/// <summary>
/// A dependency that handling a message can fail on while it is unreachable (the database, the object store), and
/// how to tell whether it answers. <see cref="DependencyOutageFilter{T}"/> asks it after a failure.
/// </summary>
public interface IDependencyProbe
{
    /// <summary>The dependency's name in logs ("database", "object store").</summary>
    string Dependency { get; }

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) is the kind of failure this dependency's outage gives,
    /// so that it is worth asking <see cref="AnswersAsync"/>; a wrong yes costs one probe that answers.
    /// </summary>
    bool MayHaveCaused(Exception exception);

    /// <summary>Whether the dependency answers now; a few seconds at most.</summary>
    Task<bool> AnswersAsync(CancellationToken cancellationToken);
}
