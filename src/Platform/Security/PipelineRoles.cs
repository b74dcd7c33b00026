namespace Pipeline.Platform.Security;

/// <summary>
/// The roles a key carries and the policies routes require. Roles do not nest by name; each policy lists the roles
/// it admits, so what a role may do reads off one table:
/// <list type="table">
/// <item><term>reader</term><description>jobs, models, the dashboard, the live feed</description></item>
/// <item><term>submitter</term><description>what a reader may, plus submit jobs and cancel its own</description></item>
/// <item><term>predictor</term><description><c>/predict</c> only</description></item>
/// <item><term>admin</term><description>everything: rollback, cancel any job, manage keys</description></item>
/// </list>
/// </summary>
public static class PipelineRoles
{
    public const string Reader = "reader";
    public const string Submitter = "submitter";
    public const string Predictor = "predictor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Reader, Submitter, Predictor, Admin];

    public static bool IsRole(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Authorization policy names, one per kind of route.</summary>
public static class PipelinePolicies
{
    /// <summary>Read jobs, models, the profile, the live feed and the dashboard.</summary>
    public const string Read = "pipeline.read";

    /// <summary>Submit a job; cancel one's own.</summary>
    public const string Submit = "pipeline.submit";

    /// <summary>Ask a served model.</summary>
    public const string Predict = "pipeline.predict";

    /// <summary>Roll a model back, cancel any job, manage keys.</summary>
    public const string Admin = "pipeline.admin";

    internal static readonly IReadOnlyDictionary<string, string[]> Roles = new Dictionary<string, string[]>
    {
        [Read] = [PipelineRoles.Reader, PipelineRoles.Submitter, PipelineRoles.Admin],
        [Submit] = [PipelineRoles.Submitter, PipelineRoles.Admin],
        [Predict] = [PipelineRoles.Predictor, PipelineRoles.Admin],
        [Admin] = [PipelineRoles.Admin],
    };
}
