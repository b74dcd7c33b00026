using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Orchestrator.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "training_jobs",
                columns: table => new
                {
                    CorrelationId = table.Column<Guid>(type: "uuid", nullable: false),
                    CurrentState = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ModelName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    SourceJson = table.Column<string>(type: "text", nullable: false),
                    SpecJson = table.Column<string>(type: "text", nullable: false),
                    DatasetId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    DatasetRows = table.Column<long>(type: "bigint", nullable: true),
                    AcceptedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PreprocessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TrainedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PreparedJson = table.Column<string>(type: "text", nullable: true),
                    Round = table.Column<int>(type: "integer", nullable: false),
                    RoundResultsJson = table.Column<string>(type: "text", nullable: false),
                    AttemptsJson = table.Column<string>(type: "text", nullable: false),
                    HistoryJson = table.Column<string>(type: "text", nullable: false),
                    BestRound = table.Column<int>(type: "integer", nullable: false),
                    BestValidationLoss = table.Column<double>(type: "double precision", nullable: true),
                    BestModelJson = table.Column<string>(type: "text", nullable: true),
                    RoundsWithoutImprovement = table.Column<int>(type: "integer", nullable: false),
                    RoundTimeoutToken = table.Column<Guid>(type: "uuid", nullable: true),
                    DeployedVersion = table.Column<int>(type: "integer", nullable: true),
                    TestMetricsJson = table.Column<string>(type: "text", nullable: true),
                    FailedStage = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    FailureReason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_training_jobs", x => x.CorrelationId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_training_jobs_CurrentState",
                table: "training_jobs",
                column: "CurrentState");

            migrationBuilder.CreateIndex(
                name: "IX_training_jobs_SubmittedAt",
                table: "training_jobs",
                column: "SubmittedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "training_jobs");
        }
    }
}
