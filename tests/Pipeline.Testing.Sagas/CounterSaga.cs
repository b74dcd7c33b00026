using Pipeline.Platform.Persistence;

namespace Pipeline.Testing.Sagas;

public sealed class CounterSaga : IVersionedSaga
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Count { get; set; }

    /// <summary>Bit i set once increment i has been applied; a second application is counted in <see cref="Duplicates"/>.</summary>
    public long SeenMask { get; set; }
    public int Duplicates { get; set; }
    public Guid? ReminderToken { get; set; }
    public int Reminders { get; set; }
    public uint RowVersion { get; set; }
}
