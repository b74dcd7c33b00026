using Pipeline.Tabular.Naming;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Deploy.Baseline;
using Pipeline.Deploy.Onnx;
using Pipeline.Deploy.Registry;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Serialization;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Metrics;
using Pipeline.Tabular.Shards;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Deployment;

/// <summary>
/// Registers a job's model: evaluates it on the test split, trains the baseline, exports ONNX, stores the artifacts
/// under <c>{bucket}/{name}/{version}/</c>, and lets the quality gate decide. Safe to run again for the same job
/// (a redelivered command, a redeploy): the version is found by job id and a decided version keeps its decision.
/// A registry row never outlives a failed attempt with missing artifacts: a candidate whose artifacts could not be
/// stored is removed again (with the files it had stored), and a decided version whose artifacts are gone has them
/// stored again. The token is the job's (<see cref="Pipeline.Platform.Hosting.RunningJobs"/>): a cancel before the
/// gate decides stops the deployment and leaves nothing behind; once the gate has decided, the version stands.
/// </summary>
public sealed class ModelDeployer(IArtifactStore store, ModelRegistry registry, IOptions<DeployOptions> options, ILogger<ModelDeployer> logger)
{
    private static readonly string EngineVersion =
        typeof(Network).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Network).Assembly.GetName().Version?.ToString() ?? "unknown";

    public async Task<DeployOutcome> DeployAsync(DeployModel command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!ModelNames.IsValid(command.ModelName))
        {
            return new DeployOutcome.Failed($"model name '{command.ModelName}' is not usable: {ModelNames.Rule}");
        }

        var existing = await registry.FindByJobAsync(command.ModelName, command.JobId, cancellationToken);
        if (existing is not null && existing.Stage != ModelStage.Candidate && await ArtifactsStoredAsync(existing, cancellationToken))
        {
            return Outcome(existing);
        }

        try
        {
            return await RegisterAndGateAsync(command, cancellationToken);
        }
        // Errors that the same command would meet again (bad input, a bug) fail the deployment at once; anything else
        // (the store, the database) is left to the bus's retries and redeliveries. Argument and arithmetic errors are
        // in the first group: an ArgumentException from writing a NaN metric was redelivered for 15 minutes.
        catch (Exception ex) when (ex is DeploymentException or ModelFormatException or InvalidDataException or ArtifactNotFoundException or JsonException or ArgumentException or ArithmeticException or NotSupportedException)
        {
            logger.LogWarning(ex, "Deployment of {Model} for job {JobId} failed", command.ModelName, command.JobId);
            return new DeployOutcome.Failed(ex.Message);
        }
    }

    private async Task<DeployOutcome> RegisterAndGateAsync(DeployModel command, CancellationToken ct)
    {
        var o = options.Value;
        var modelBytes = await ReadVerifiedAsync(command.Model, ct);
        var loaded = ModelFile.Load(new MemoryStream(modelBytes, writable: false));
        var network = loaded.Network;
        var transformBytes = await ReadVerifiedAsync(command.Transform, ct);
        var transform = FittedTransform.FromJson(System.Text.Encoding.UTF8.GetString(transformBytes));
        var test = await ReadShardAsync(command.Test, ct);
        CheckShapes(network, transform, test);
        ct.ThrowIfCancellationRequested();

        // A classifier's probabilities are calibrated on the validation split before anything is measured or
        // stored; the served model, the ONNX file and the test metrics are all of the calibrated network.
        var calibration = transform.Task == TaskKind.Classification
            ? ProbabilityCalibration.Calibrate(network, await ReadShardAsync(await ValidationRefAsync(command, ct), ct))
            : null;
        if (calibration is { Temperature: not 1.0 })
        {
            using var calibrated = new MemoryStream();
            ModelFile.Save(calibrated, network, loaded.FeatureNames);
            modelBytes = calibrated.ToArray();
        }

        var testMetrics = FiniteMetrics.Of(TestEvaluation.Evaluate(network, test, transform));
        var validation = FiniteMetrics.Of(TargetUnits.ToOriginal(command.Validation, transform));
        var metric = GateMetric.For(transform.Task);
        var score = metric.Read(testMetrics) ?? double.NaN;
        var (train, trainedOn) = await LoadTrainingRowsAsync(command, ct);
        var trivial = FiniteMetrics.Of(TargetUnits.ToOriginal(TrivialPredictor.Evaluate(train.Targets, test, transform.Task), transform));
        var baseline = await TrainBaselineAsync(command, transform.Task, train, trainedOn, test, ct);
        ct.ThrowIfCancellationRequested();
        baseline = baseline with { Test = baseline.Test is null ? null : FiniteMetrics.Of(TargetUnits.ToOriginal(baseline.Test, transform)) };
        var lineage = new Lineage
        {
            JobId = command.JobId,
            DatasetSha256 = command.DatasetSha256 ?? command.Source?.Sha256,
            Source = command.Source,
            Profile = command.Profile,
            Transform = command.Transform,
            TrainedModel = command.Model,
            TestSplit = command.Test,
            Hyperparameters = command.Settings,
            BestRound = command.BestRound,
            RoundHistory = command.RoundHistory,
            EngineVersion = EngineVersion,
        };

        var record = await registry.RegisterCandidateAsync(new ModelVersionRecord
        {
            Name = command.ModelName,
            Version = 0,
            JobId = command.JobId,
            Task = transform.Task.ToString().ToLowerInvariant(),
            GateMetric = metric.Name,
            TestScore = score,
            TestMetricsJson = JsonSerializer.Serialize(testMetrics, ModelCard.Json),
            ValidationMetricsJson = JsonSerializer.Serialize(validation, ModelCard.Json),
            BaselineMetricsJson = baseline.Test is null ? null : JsonSerializer.Serialize(baseline.Test, ModelCard.Json),
            LineageJson = lineage.ToJson(),
            ArtifactBucket = o.Bucket,
            ArtifactPrefix = "",
            CreatedAt = default,
        }, ct);
        var version = record.Version;
        try
        {
            // Artifacts go up before the gate decides, so a version that becomes production is always loadable.
            await store.EnsureBucketAsync(o.Bucket, ct);
            var artifacts = new Dictionary<string, ObjectRef>
            {
                ["model"] = await PutAsync(command.ModelName, version, ModelArtifactKeys.ModelFile, modelBytes, ct),
                ["transform"] = await PutAsync(command.ModelName, version, ModelArtifactKeys.TransformFile, transformBytes, ct),
                ["onnx"] = await PutAsync(command.ModelName, version, ModelArtifactKeys.OnnxFile, OnnxExporter.Export(network, transform, command.ModelName, version), ct),
            };
            ct.ThrowIfCancellationRequested();

            // A model worse than predicting the mean (or far behind the baseline) is not served, whatever production holds;
            // it stays a candidate, with the reason, unless the job forces it through to the version-to-version gate.
            var worth = QualityGate.WorthServing(transform.Task, testMetrics, trivial, baseline.Test, o.MinImprovementOverTrivial, o.BaselineTolerance, test.Rows);
            GateOutcome outcome;
            if (worth.Promote || command.ForceDeploy)
            {
                var forced = worth.Promote ? "" : $" (forced: {worth.Reason})";
                outcome = await registry.DecideAsync(command.ModelName, version, metric, o.GateTolerance, $"promoted by job {command.JobId}{forced}", ct);
                outcome = outcome with { Reason = outcome.Reason + forced };
            }
            else
            {
                await registry.NoteAsync(command.ModelName, version, worth.Reason, ct);
                outcome = new GateOutcome(false, worth.Reason, null);
            }

            var card = new ModelCard
            {
                Name = command.ModelName,
                Version = version,
                CreatedAt = record.CreatedAt,
                Task = transform.Task,
                Architecture = network.Spec.ToString(),
                Features = transform.FeatureNames(),
                Classes = transform.Classes,
                Validation = validation,
                Test = testMetrics,
                Trivial = trivial,
                Baseline = baseline,
                Calibration = calibration,
                Gate = new GateRecord(metric.Name, score, o.GateTolerance, outcome.Promoted, outcome.Reason, outcome.PreviousProduction),
                Lineage = lineage,
                Artifacts = artifacts,
            };
            // The card cannot hold its own hash: it goes beside it as object metadata, for the artifacts API's checksum.
            // The gate has decided: the version stands whatever a late cancel says, so its card is written regardless.
            var cardBytes = card.ToJsonBytes();
            var cardMetadata = new Dictionary<string, string> { [Serving.Artifacts.ArtifactsApi.Sha256Metadata] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(cardBytes)) };
            await store.PutBytesAsync(o.Bucket, ModelArtifactKeys.Key(command.ModelName, version, ModelArtifactKeys.CardFile), cardBytes, cardMetadata, CancellationToken.None);
            logger.LogInformation("Model {Model} v{Version} (job {JobId}): {Reason}", command.ModelName, version, command.JobId, outcome.Reason);
            return outcome.Promoted
                ? new DeployOutcome.Deployed(version, testMetrics, baseline.Test, trivial)
                : new DeployOutcome.Rejected(version, outcome.Reason, testMetrics, baseline.Test, trivial);
        }
        catch (Exception ex)
        {
            // A row must not point at artifacts that are not there: the candidate goes, the next attempt redoes it.
            await ForgetIncompleteCandidateAsync(record, ex);
            throw;
        }
    }

    /// <summary>Whether every file of the version is in the store (a decided version whose artifacts were lost is stored again).</summary>
    private async Task<bool> ArtifactsStoredAsync(ModelVersionRecord record, CancellationToken ct)
    {
        foreach (var file in new[] { ModelArtifactKeys.ModelFile, ModelArtifactKeys.TransformFile, ModelArtifactKeys.OnnxFile, ModelArtifactKeys.CardFile })
        {
            if (await store.StatAsync(record.ArtifactBucket, ModelArtifactKeys.Key(record.Name, record.Version, file), ct) is null)
            {
                logger.LogWarning("Model {Model} v{Version} misses {File}; storing its artifacts again", record.Name, record.Version, file);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// After a failed or cancelled attempt, removes the files the job's candidate had stored, then its row (best
    /// effort: when the database is down too, the row stays a candidate, never served, and the next attempt of the
    /// same job takes it over and completes it). Files first: once the row is gone another job may take the number.
    /// A version the gate already decided keeps its row and files.
    /// </summary>
    private async Task ForgetIncompleteCandidateAsync(ModelVersionRecord record, Exception failure)
    {
        try
        {
            if (await registry.FindAsync(record.Name, record.Version, CancellationToken.None) is not { Stage: ModelStage.Candidate } current || current.JobId != record.JobId)
            {
                return;
            }

            await DeleteFilesAsync(record);
            if (await registry.ForgetCandidateAsync(record.Name, record.Version, record.JobId, CancellationToken.None))
            {
                logger.LogWarning("Removed candidate {Model} v{Version} of job {JobId}: its deployment failed ({Error})", record.Name, record.Version, record.JobId, failure.Message);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not remove candidate {Model} v{Version} after a failed deployment; the next attempt reuses it", record.Name, record.Version);
        }
    }

    /// <summary>
    /// Best effort: with the store down the files stay, an orphan prefix the registry check reports (and the next
    /// version of the same number overwrites).
    /// </summary>
    private async Task DeleteFilesAsync(ModelVersionRecord record)
    {
        try
        {
            foreach (var file in new[] { ModelArtifactKeys.ModelFile, ModelArtifactKeys.TransformFile, ModelArtifactKeys.OnnxFile, ModelArtifactKeys.CardFile })
            {
                await store.DeleteAsync(record.ArtifactBucket, ModelArtifactKeys.Key(record.Name, record.Version, file), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not delete the files of candidate {Model} v{Version}; the registry check reports them", record.Name, record.Version);
        }
    }

    /// <summary>
    /// The training split (every shard, streamed), else the validation split when the command does not name
    /// the shards: a uniform sample for the baseline and the target summary for the trivial predictor.
    /// </summary>
    private async Task<(TrainingSample Rows, string Name)> LoadTrainingRowsAsync(DeployModel command, CancellationToken ct)
    {
        var sample = new TrainingSample(Math.Max(1, options.Value.BaselineMaxRows), Math.Max(1, options.Value.BaselineMaxValues), command.Settings?.Seed ?? 42);
        if (command.TrainingShards is { Count: > 0 } shards)
        {
            foreach (var shard in shards)
            {
                // Streamed: the sample and a read buffer in memory, never a whole shard (a worker may hold it already).
                await using var stream = await store.OpenVerifiedReadAsync(shard, ct);
                await sample.AddAsync(stream, ct);
            }

            return (sample, sample.Rows > sample.Limit
                ? $"training split (uniform random sample of {sample.Limit:N0} of {sample.Rows:N0} rows)"
                : "training split");
        }

        // Older commands do not carry the training shards: the validation split is the rows there are.
        sample.Add(await ReadShardAsync(await ValidationRefAsync(command, ct), ct));
        return (sample, "validation split (training shards not given)");
    }

    private async Task<BaselineResult> TrainBaselineAsync(DeployModel command, TaskKind task, TrainingSample train, string trainedOn, ShardData test, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Baseline)
        {
            return new BaselineResult("none", "", 0, null, "baseline turned off (Pipeline:Deploy:Baseline)");
        }

        try
        {
            var seed = command.Settings?.Seed ?? 42;
            // ML.NET's training cannot be interrupted from here (its cancel is in Microsoft.ML.Experimental): a cancel
            // stops waiting at once, and the abandoned tree training ends by itself (bounded by BaselineMaxRows).
            return await Task.Run(() => TreeBaseline.TrainAndEvaluate(train.Sample(), trainedOn, test, task, seed), ct).WaitAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The baseline is information for people; it never blocks a deployment.
            logger.LogWarning(ex, "Baseline for {Model} failed", command.ModelName);
            return new BaselineResult(task == TaskKind.Classification ? TreeBaseline.ClassificationTrainer : TreeBaseline.RegressionTrainer, "", 0, null, ex.Message);
        }
    }

    /// <summary>The validation split: from the command, else where Preprocess writes it, next to the test split.</summary>
    private async Task<ObjectRef> ValidationRefAsync(DeployModel command, CancellationToken ct)
    {
        if (command.ValidationSplit is not null)
        {
            return command.ValidationSplit;
        }

        var key = command.Test.Key[..(command.Test.Key.LastIndexOf('/') + 1)] + "validation.bin";
        var info = await store.StatAsync(command.Test.Bucket, key, ct) ?? throw new ArtifactNotFoundException(command.Test.Bucket, key);
        await using var stream = await store.OpenReadAsync(command.Test.Bucket, key, ct);
        return new ObjectRef(command.Test.Bucket, key, await ArtifactStoreExtensions.ComputeSha256Async(stream, ct), info.Size);
    }

    private static void CheckShapes(Network network, FittedTransform transform, ShardData test)
    {
        if (network.Spec.Inputs != transform.FeatureCount)
        {
            throw new DeploymentException($"the model takes {network.Spec.Inputs} features but the transform makes {transform.FeatureCount}");
        }

        if (network.Spec.Outputs != transform.Outputs)
        {
            throw new DeploymentException($"the model has {network.Spec.Outputs} outputs but the transform's task needs {transform.Outputs}");
        }

        if (test.FeatureCount != network.Spec.Inputs)
        {
            throw new DeploymentException($"the test split has {test.FeatureCount} features but the model takes {network.Spec.Inputs}");
        }

        if (test.Rows == 0)
        {
            throw new DeploymentException("the test split is empty, so the quality gate has nothing to judge");
        }
    }

    private async Task<byte[]> ReadVerifiedAsync(ObjectRef reference, CancellationToken ct)
    {
        await using var stream = await store.OpenVerifiedReadAsync(reference, ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private async Task<ShardData> ReadShardAsync(ObjectRef reference, CancellationToken ct)
    {
        await using var stream = await store.OpenVerifiedReadAsync(reference, ct);
        return await ShardFile.ReadAsync(stream, ct);
    }

    private async Task<ObjectRef> PutAsync(string name, int version, string file, byte[] bytes, CancellationToken ct)
    {
        using var content = new MemoryStream(bytes, writable: false);
        return await store.PutWithHashAsync(options.Value.Bucket, ModelArtifactKeys.Key(name, version, file), content, cancellationToken: ct);
    }

    private static DeployOutcome Outcome(ModelVersionRecord record)
    {
        var test = JsonSerializer.Deserialize<ModelMetrics>(record.TestMetricsJson, ModelCard.Json) ?? new ModelMetrics();
        var baseline = record.BaselineMetricsJson is null ? null : JsonSerializer.Deserialize<ModelMetrics>(record.BaselineMetricsJson, ModelCard.Json);
        return record.Stage == ModelStage.Rejected
            ? new DeployOutcome.Rejected(record.Version, record.StageReason ?? "rejected by the quality gate", test, baseline)
            : new DeployOutcome.Deployed(record.Version, test, baseline);
    }
}
