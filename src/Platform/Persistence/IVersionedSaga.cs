using MassTransit;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// A saga instance persisted with optimistic concurrency. On PostgreSQL <see cref="RowVersion"/> maps to the
/// system column <c>xmin</c>, which the server bumps on every update; on SQLite it is an ordinary column that
/// <see cref="PipelineDbContext"/> increments itself. Either way an update that lost a race fails with
/// <c>DbUpdateConcurrencyException</c> and the message is retried against fresh state.
/// </summary>
public interface IVersionedSaga : SagaStateMachineInstance
{
    uint RowVersion { get; set; }
}
