using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Orchestrator.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class JobTimesForTheApi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "UpdatedAt",
                table: "training_jobs",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            migrationBuilder.AlterColumn<long>(
                name: "SubmittedAt",
                table: "training_jobs",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(DateTimeOffset),
                oldType: "TEXT");

            // Rows written before this migration hold ISO text; turn it into UTC ticks (julianday understands the offset).
            foreach (var column in new[] { "SubmittedAt", "UpdatedAt" })
            {
                migrationBuilder.Sql($"UPDATE training_jobs SET \"{column}\" = CAST(ROUND((julianday(\"{column}\") - julianday('0001-01-01 00:00:00')) * 864000000000.0) AS INTEGER) WHERE typeof(\"{column}\") = 'text';");
            }

            migrationBuilder.CreateIndex(
                name: "IX_training_jobs_UpdatedAt",
                table: "training_jobs",
                column: "UpdatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_training_jobs_UpdatedAt",
                table: "training_jobs");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "UpdatedAt",
                table: "training_jobs",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "SubmittedAt",
                table: "training_jobs",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER");
        }
    }
}
