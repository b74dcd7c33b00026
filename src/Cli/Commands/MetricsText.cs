using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Commands;

/// <summary>How the CLI writes metrics and the training plan, the same in `demo`, `status` and `watch`.</summary>
public static class MetricsText
{
    /// <summary>"name value" pairs of the figures that are set, e.g. <c>rmse 2.86  r2 0.835</c>; "-" when none.</summary>
    public static string Describe(params (string Name, double? Value)[] figures)
    {
        var set = figures.Where(p => p.Value is not null).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Value:G5}")).ToList();
        return set.Count == 0 ? "-" : string.Join("  ", set);
    }

    public static string Describe(ModelMetrics? m) => m is null
        ? "-"
        : Describe(("mse", m.Mse), ("rmse", m.Rmse), ("mae", m.Mae), ("r2", m.R2), ("accuracy", m.Accuracy), ("macroF1", m.MacroF1), ("logLoss", m.LogLoss));

    /// <summary>The plan on one line: each setting and its value, "(given)" where the job set it.</summary>
    public static string Plan(IReadOnlyList<PlanChoice>? plan) => plan is null
        ? "-"
        : string.Join("  ", plan.Select(p => $"{p.Setting} {p.Value}{(p.Automatic ? "" : " (given)")}"));

    /// <summary>Test metrics beside the baseline's and the trivial predictor's, the lines a finished job ends with.</summary>
    public static void WriteOutcome(DeployedModelView model, TaskKind task, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"test       {Describe(model.Test)}");
        output.WriteLine($"baseline   {Describe(model.Baseline)}  (ML.NET boosted trees on the same split)");
        output.WriteLine($"trivial    {Describe(model.Trivial)}  ({(task == TaskKind.Classification ? "majority class" : "training mean")} on the same split)");
    }
}
