CREATE TABLE IF NOT EXISTS __migrations_orchestratordbcontext (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___migrations_orchestratordbcontext" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261128234817_InitialJobs') THEN
    CREATE TABLE training_jobs (
        "CorrelationId" uuid NOT NULL,
        "CurrentState" character varying(32) NOT NULL,
        "SubmittedAt" timestamp with time zone NOT NULL,
        "UpdatedAt" timestamp with time zone NOT NULL,
        "ModelName" character varying(256) NOT NULL,
        "SourceJson" text NOT NULL,
        "SpecJson" text NOT NULL,
        "DatasetId" character varying(128),
        "DatasetRows" bigint,
        "AcceptedAt" timestamp with time zone,
        "PreprocessedAt" timestamp with time zone,
        "TrainedAt" timestamp with time zone,
        "FinishedAt" timestamp with time zone,
        "PreparedJson" text,
        "Round" integer NOT NULL,
        "RoundResultsJson" text NOT NULL,
        "AttemptsJson" text NOT NULL,
        "HistoryJson" text NOT NULL,
        "BestRound" integer NOT NULL,
        "BestValidationLoss" double precision,
        "BestModelJson" text,
        "RoundsWithoutImprovement" integer NOT NULL,
        "RoundTimeoutToken" uuid,
        "DeployedVersion" integer,
        "TestMetricsJson" text,
        "FailedStage" character varying(32),
        "FailureReason" text,
        CONSTRAINT "PK_training_jobs" PRIMARY KEY ("CorrelationId")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261128234817_InitialJobs') THEN
    CREATE INDEX "IX_training_jobs_CurrentState" ON training_jobs ("CurrentState");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261128234817_InitialJobs') THEN
    CREATE INDEX "IX_training_jobs_SubmittedAt" ON training_jobs ("SubmittedAt");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261128234817_InitialJobs') THEN
    INSERT INTO __migrations_orchestratordbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261128234817_InitialJobs', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261129011722_JobTimesForTheApi') THEN
    CREATE INDEX "IX_training_jobs_UpdatedAt" ON training_jobs ("UpdatedAt");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261129011722_JobTimesForTheApi') THEN
    INSERT INTO __migrations_orchestratordbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261129011722_JobTimesForTheApi', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261206194247_BaselineAndTrivialMetrics') THEN
    ALTER TABLE training_jobs ADD "BaselineMetricsJson" text;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261206194247_BaselineAndTrivialMetrics') THEN
    ALTER TABLE training_jobs ADD "TrivialMetricsJson" text;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261206194247_BaselineAndTrivialMetrics') THEN
    INSERT INTO __migrations_orchestratordbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261206194247_BaselineAndTrivialMetrics', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261206225830_JobDeadlineToken') THEN
    ALTER TABLE training_jobs RENAME COLUMN "RoundTimeoutToken" TO "DeadlineToken";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_orchestratordbcontext WHERE "MigrationId" = '20261206225830_JobDeadlineToken') THEN
    INSERT INTO __migrations_orchestratordbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261206225830_JobDeadlineToken', '10.0.15');
    END IF;
END $EF$;
COMMIT;

