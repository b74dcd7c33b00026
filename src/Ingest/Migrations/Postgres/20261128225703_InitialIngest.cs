using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Ingest.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialIngest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ingest_datasets",
                columns: table => new
                {
                    DatasetId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Bucket = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Key = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Rows = table.Column<long>(type: "bigint", nullable: false),
                    SchemaJson = table.Column<string>(type: "text", nullable: false),
                    Compressed = table.Column<bool>(type: "boolean", nullable: false),
                    SourceBucket = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    SourceKey = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    SourceETag = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingest_datasets", x => x.DatasetId);
                });

            migrationBuilder.CreateTable(
                name: "ingest_object_versions",
                columns: table => new
                {
                    Bucket = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Key = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    ETag = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    Trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    SpecJson = table.Column<string>(type: "text", nullable: false),
                    SpecError = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RejectedReason = table.Column<string>(type: "text", nullable: true),
                    RejectedKey = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingest_object_versions", x => new { x.Bucket, x.Key, x.ETag });
                });

            migrationBuilder.CreateIndex(
                name: "IX_ingest_datasets_Sha256",
                table: "ingest_datasets",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ingest_object_versions_JobId",
                table: "ingest_object_versions",
                column: "JobId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ingest_datasets");

            migrationBuilder.DropTable(
                name: "ingest_object_versions");
        }
    }
}
