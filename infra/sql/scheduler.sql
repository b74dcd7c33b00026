CREATE TABLE IF NOT EXISTS __migrations_schedulerdbcontext (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___migrations_schedulerdbcontext" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_schedulerdbcontext WHERE "MigrationId" = '20261128222703_InitialScheduler') THEN
    CREATE TABLE scheduled_messages (
        "TokenId" uuid NOT NULL,
        "Destination" character varying(1024) NOT NULL,
        "MessageType" character varying(1024) NOT NULL,
        "Body" text NOT NULL,
        "DueAtUtc" timestamp with time zone NOT NULL,
        "CreatedAtUtc" timestamp with time zone NOT NULL,
        "Attempts" integer NOT NULL,
        "LastError" character varying(2048),
        CONSTRAINT "PK_scheduled_messages" PRIMARY KEY ("TokenId")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_schedulerdbcontext WHERE "MigrationId" = '20261128222703_InitialScheduler') THEN
    CREATE INDEX "IX_scheduled_messages_DueAtUtc" ON scheduled_messages ("DueAtUtc");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_schedulerdbcontext WHERE "MigrationId" = '20261128222703_InitialScheduler') THEN
    INSERT INTO __migrations_schedulerdbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261128222703_InitialScheduler', '10.0.15');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_schedulerdbcontext WHERE "MigrationId" = '20261206225501_ScheduledMessageHeaders') THEN
    ALTER TABLE scheduled_messages ADD "Headers" text;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM __migrations_schedulerdbcontext WHERE "MigrationId" = '20261206225501_ScheduledMessageHeaders') THEN
    INSERT INTO __migrations_schedulerdbcontext ("MigrationId", "ProductVersion")
    VALUES ('20261206225501_ScheduledMessageHeaders', '10.0.15');
    END IF;
END $EF$;
COMMIT;

