using MassTransit;
using Pipeline.Contracts;
using Pipeline.Ingest.Triggers;

namespace Pipeline.Ingest.Consumers;

/// <summary>Queue <c>submit-training-job</c>: a client names an object; one job per object version, as for any trigger.</summary>
public sealed class SubmitTrainingJobConsumer(ObjectTrigger trigger) : IConsumer<SubmitTrainingJob>
{
    public Task Consume(ConsumeContext<SubmitTrainingJob> context) =>
        trigger.TriggerAsync(context.Message.Source.Bucket, context.Message.Source.Key, ObjectTrigger.SubmitTrigger, context.Message.JobId, context.Message.Spec, NullIfEmpty(context.Message.Source.Sha256), context.CancellationToken);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
