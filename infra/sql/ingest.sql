CREATE TABLE IF NOT EXISTS __migrations_ingestdbcontext (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___migrations_ingestdbcontext" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261128225703_InitialIngest') THEN
    CREATE TABLE ingest_datasets (
        "DatasetId" character varying(32) NOT NULL,
        "Sha256" character varying(64) NOT NULL,
        "Bucket" character varying(63) NOT NULL,
        "Key" character varying(1024) NOT NULL,
        "Size" bigint NOT NULL,
        "Rows" bigint NOT NULL,
        "SchemaJson" text NOT NULL,
        "Compressed" boolean NOT NULL,
        "SourceBucket" character varying(63) NOT NULL,
        "SourceKey" character varying(1024) NOT NULL,
        "SourceETag" character varying(128),
        "CreatedAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_ingest_datasets" PRIMARY KEY ("DatasetId")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261128225703_InitialIngest') THEN
    CREATE TABLE ingest_object_versions (
        "Bucket" character varying(63) NOT NULL,
        "Key" character varying(1024) NOT NULL,
        "ETag" character varying(128) NOT NULL,
        "JobId" uuid NOT NULL,
        "Trigger" character varying(16) NOT NULL,
        "Size" bigint NOT NULL,
        "SpecJson" text NOT NULL,
        "SpecError" text,
        "CreatedAt" timestamp with time zone NOT NULL,
        "PublishedAt" timestamp with time zone,
        "RejectedReason" text,
        "RejectedKey" character varying(1024),
        CONSTRAINT "PK_ingest_object_versions" PRIMARY KEY ("Bucket", "Key", "ETag")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261128225703_InitialIngest') THEN
    CREATE UNIQUE INDEX "IX_ingest_datasets_Sha256" ON ingest_datasets ("Sha256");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261128225703_InitialIngest') THEN
    CREATE UNIQUE INDEX "IX_ingest_object_versions_JobId" ON ingest_object_versions ("JobId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261128225703_InitialIngest') THEN
    INSERT INTO __migrations_ingestdbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261128225703_InitialIngest', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261207013701_SpecInObjectVersionKey') THEN
    ALTER TABLE ingest_object_versions DROP CONSTRAINT "PK_ingest_object_versions";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261207013701_SpecInObjectVersionKey') THEN
    ALTER TABLE ingest_object_versions ADD "SpecHash" character varying(64) NOT NULL DEFAULT '';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261207013701_SpecInObjectVersionKey') THEN
    ALTER TABLE ingest_object_versions ADD CONSTRAINT "PK_ingest_object_versions" PRIMARY KEY ("Bucket", "Key", "ETag", "SpecHash");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_ingestdbcontext WHERE "MigrationId" = '20261207013701_SpecInObjectVersionKey') THEN
    INSERT INTO __migrations_ingestdbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261207013701_SpecInObjectVersionKey', '10.0.15');
    END IF;
END $EF$;
COMMIT;

