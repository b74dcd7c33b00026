using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline status JOB` as a person reads it: what happened to training (rounds run of planned, best round, why it
/// stopped) before the details, the settings with the plan's reasons, and only the last rounds of a long job.
/// </summary>
public static class JobDetailText
{
    /// <summary>Rounds shown without --rounds: enough to see the trend at the end, few enough to keep the summary on screen.</summary>
    public const int LastRounds = 5;

    public static void Write(JobDetail detail, bool allRounds, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(output);
        var s = detail.Summary;
        output.WriteLine($"job        {s.JobId}");
        output.WriteLine($"state      {s.State} (stage {s.Stage}){(s.Error is { } e && detail.Failure is null ? $": {e}" : "")}");
        output.WriteLine($"source     {s.Source}");
        output.WriteLine($"model      {s.ModelName}{(s.DeployedVersion is { } v ? $" v{v}" : "")}");
        output.WriteLine($"target     {detail.Spec.Target ?? "(last column)"} ({detail.Spec.Task.ToString().ToLowerInvariant()})");
        output.WriteLine($"training   {TrainingOutcome(detail)}");
        WriteSettings(detail, output);
        WriteRounds(detail, allRounds, output);
        if (detail.Model is { } model)
        {
            MetricsText.WriteOutcome(model, detail.Spec.Task, output);
        }

        if (detail.Failure is { } f)
        {
            output.WriteLine($"failure    {f.Stage}: {f.Reason}");
        }

        output.WriteLine("stages     " + string.Join("  ", detail.Stages.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Seconds:F1}s"))));
    }

    /// <summary>
    /// One line on how training went, honest about early stops and cancellations: "stopped early after 95 of 2000
    /// rounds ..." rather than a percentage of the most rounds it could have run.
    /// </summary>
    public static string TrainingOutcome(JobDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var s = detail.Summary;
        var best = detail.BestRound is { } b ? string.Create(CultureInfo.InvariantCulture, $"; best round {b} (validation loss {LossAt(detail, b)})") : "";
        var trainingOver = s.State is "Deploying" or "Deployed" or "Rejected";
        return s.State switch
        {
            _ when s.Round == 0 && !trainingOver => s.Finished ? $"no round ran ({s.State.ToLowerInvariant()} in {s.Stage})" : "not started yet",
            "Cancelled" => $"cancelled after {s.Round} of at most {s.Rounds} rounds{best}",
            "Failed" => $"failed after {s.Round} of at most {s.Rounds} rounds{best}",
            _ when !trainingOver => $"round {s.Round} of at most {s.Rounds}{best}",
            _ when s.Round < s.Rounds => $"stopped early after {s.Round} of at most {s.Rounds} rounds{best}: {WhyStopped(detail)}",
            _ => $"ran all {s.Rounds} rounds{best}",
        };
    }

    private static string WhyStopped(JobDetail detail)
    {
        var t = detail.Spec.Training;
        var since = detail.BestRound is { } best ? detail.Summary.Round - best : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"no better validation loss in the {since} round{(since == 1 ? "" : "s")} after the best ({since * Math.Max(1, t.LocalEpochs)} epochs; patience {t.Patience} epochs)");
    }

    private static string LossAt(JobDetail detail, int round) =>
        detail.Rounds.FirstOrDefault(r => r.Round == round) is { } r ? r.ValidationLoss.ToString("F4", CultureInfo.InvariantCulture) : "?";

    /// <summary>
    /// Every resolved setting: the plan's (given by the job, or chosen and why), then the others the job spec carries
    /// (layers, activation, optimizer...), marked "default" or "given" against <see cref="TrainingSettings"/>.
    /// </summary>
    private static void WriteSettings(JobDetail detail, TextWriter output)
    {
        var plan = detail.Spec.Plan ?? [];
        var defaults = JobSpecMetadata.ToMetadata(new JobSpec());
        var others = JobSpecMetadata.ToMetadata(detail.Spec)
            .Where(p => p.Key is not ("task" or "target" or "model") && !plan.Any(c => c.Setting == p.Key))
            .Select(p => (Setting: p.Key, p.Value, Note: defaults.GetValueOrDefault(p.Key) == p.Value ? "default" : "given"));
        var rows = plan.Select(c => (c.Setting, c.Value, Note: c.Automatic ? "plan: " + c.Reason : "given"))
            .Concat(others)
            .ToList();
        output.WriteLine(plan.Count > 0 ? "settings" : "settings   (the plan has not resolved them yet)");
        var width = rows.Max(r => r.Setting.Length);
        var valueWidth = rows.Max(r => r.Value.Length);
        foreach (var (setting, value, note) in rows)
        {
            output.WriteLine($"  {setting.PadRight(width)}  {value.PadRight(valueWidth)}  {note}");
        }
    }

    private static void WriteRounds(JobDetail detail, bool all, TextWriter output)
    {
        if (detail.Rounds.Count == 0)
        {
            return;
        }

        var shown = all ? detail.Rounds : detail.Rounds.Skip(Math.Max(0, detail.Rounds.Count - LastRounds)).ToList();
        output.WriteLine(shown.Count == detail.Rounds.Count ? $"rounds     all {shown.Count}" : $"rounds     last {shown.Count} of {detail.Rounds.Count} (--rounds for all)");
        foreach (var r in shown)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {r.Round,4}: train loss {r.TrainLoss:F4}  validation loss {r.ValidationLoss:F4}{(r.Round == detail.BestRound ? "  best" : "")}"));
        }
    }
}
