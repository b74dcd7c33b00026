namespace Pipeline.Contracts.Api;

/// <summary>The answer to a submit or a retrain: the job id as stored, and the object the job trains on (<c>bucket/key</c>).</summary>
public sealed record JobAccepted(Guid JobId, string Source);

/// <summary>The answer to <c>POST /api/jobs/{id}/cancel</c>: the cancellation is on its way to the job.</summary>
public sealed record CancelAccepted(Guid JobId, bool Cancelling, string Reason);

/// <summary>The body of <c>POST /api/jobs/{id}/redeploy</c>; every field optional.</summary>
public sealed record RedeployRequest(bool Force = false);

/// <summary>The answer to a redeploy: the deploy command is on its way; the job shows Deploying, then its outcome.</summary>
public sealed record RedeployAccepted(Guid JobId, string ModelName, bool Force);
