using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Pipeline.Deploy.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_versions",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    Stage = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StageReason = table.Column<string>(type: "text", nullable: true),
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    GateMetric = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TestScore = table.Column<double>(type: "double precision", nullable: false),
                    TestMetricsJson = table.Column<string>(type: "text", nullable: false),
                    ValidationMetricsJson = table.Column<string>(type: "text", nullable: false),
                    BaselineMetricsJson = table.Column<string>(type: "text", nullable: true),
                    LineageJson = table.Column<string>(type: "text", nullable: false),
                    ArtifactBucket = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    ArtifactPrefix = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StageChangedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_versions", x => new { x.Name, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "production_periods",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Reason = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_production_periods", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_versions_Name_JobId",
                table: "model_versions",
                columns: new[] { "Name", "JobId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_model_versions_one_production",
                table: "model_versions",
                column: "Name",
                unique: true,
                filter: "\"Stage\" = 'Production'");

            migrationBuilder.CreateIndex(
                name: "IX_production_periods_Name_Id",
                table: "production_periods",
                columns: new[] { "Name", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_versions");

            migrationBuilder.DropTable(
                name: "production_periods");
        }
    }
}
