using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Orchestrator.Migrations.Sqlite
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
                    CorrelationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CurrentState = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RowVersion = table.Column<uint>(type: "INTEGER", nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    SourceJson = table.Column<string>(type: "TEXT", nullable: false),
                    SpecJson = table.Column<string>(type: "TEXT", nullable: false),
                    DatasetId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    DatasetRows = table.Column<long>(type: "INTEGER", nullable: true),
                    AcceptedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    PreprocessedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    TrainedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    PreparedJson = table.Column<string>(type: "TEXT", nullable: true),
                    Round = table.Column<int>(type: "INTEGER", nullable: false),
                    RoundResultsJson = table.Column<string>(type: "TEXT", nullable: false),
                    AttemptsJson = table.Column<string>(type: "TEXT", nullable: false),
                    HistoryJson = table.Column<string>(type: "TEXT", nullable: false),
                    BestRound = table.Column<int>(type: "INTEGER", nullable: false),
                    BestValidationLoss = table.Column<double>(type: "REAL", nullable: true),
                    BestModelJson = table.Column<string>(type: "TEXT", nullable: true),
                    RoundsWithoutImprovement = table.Column<int>(type: "INTEGER", nullable: false),
                    RoundTimeoutToken = table.Column<Guid>(type: "TEXT", nullable: true),
                    DeployedVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    TestMetricsJson = table.Column<string>(type: "TEXT", nullable: true),
                    FailedStage = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    FailureReason = table.Column<string>(type: "TEXT", nullable: true)
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
