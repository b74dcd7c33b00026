using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Orchestrator.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class JobTimesForTheApi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }
    }
}
