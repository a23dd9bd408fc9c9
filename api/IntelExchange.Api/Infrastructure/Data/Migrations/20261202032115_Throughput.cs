using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IntelExchange.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Throughput : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReportTargets_Key",
                table: "ReportTargets");

            migrationBuilder.DropIndex(
                name: "IX_Cases_ReportId",
                table: "Cases");

            migrationBuilder.CreateTable(
                name: "AuditPendingEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Actor = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SubjectType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SubjectId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Parties = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Details = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditPendingEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TargetQuotaCharges",
                columns: table => new
                {
                    ReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Targets = table.Column<long>(type: "bigint", nullable: false),
                    DailyLimit = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TargetQuotaCharges", x => x.ReportId);
                    table.ForeignKey(
                        name: "FK_TargetQuotaCharges_Reports_ReportId",
                        column: x => x.ReportId,
                        principalTable: "Reports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReportTargets_Key_ReportId_Index",
                table: "ReportTargets",
                columns: new[] { "Key", "ReportId", "Index" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_ReportId_AgencyId",
                table: "Cases",
                columns: new[] { "ReportId", "AgencyId" });

            // The daily target quota, counted at COMMIT: a deferred constraint trigger adds each report's charge to its
            // reporter's row for the day, or refuses the commit (SQLSTATE IXQ01) if that would pass the limit. The row
            // lock that orders a reporter's concurrent reports is then held only while the commit is written.
            migrationBuilder.Sql("""
                CREATE FUNCTION intelx_charge_target_quota() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "TargetQuotaUsage" AS u ("TenantId", "Day", "Targets")
                    VALUES (NEW."TenantId", NEW."Day", NEW."Targets")
                    ON CONFLICT ("TenantId", "Day") DO UPDATE SET "Targets" = u."Targets" + excluded."Targets"
                    WHERE u."Targets" + excluded."Targets" <= NEW."DailyLimit";
                    IF NOT FOUND OR NEW."Targets" > NEW."DailyLimit" THEN
                        RAISE EXCEPTION 'daily target quota of % exceeded for %', NEW."DailyLimit", NEW."TenantId" USING ERRCODE = 'IXQ01';
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER "TargetQuotaCharges_count" AFTER INSERT ON "TargetQuotaCharges"
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION intelx_charge_target_quota();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "TargetQuotaCharges_count" ON "TargetQuotaCharges";
                DROP FUNCTION IF EXISTS intelx_charge_target_quota();
                """);

            migrationBuilder.DropTable(
                name: "AuditPendingEntries");

            migrationBuilder.DropTable(
                name: "TargetQuotaCharges");

            migrationBuilder.DropIndex(
                name: "IX_ReportTargets_Key_ReportId_Index",
                table: "ReportTargets");

            migrationBuilder.DropIndex(
                name: "IX_Cases_ReportId_AgencyId",
                table: "Cases");

            migrationBuilder.CreateIndex(
                name: "IX_ReportTargets_Key",
                table: "ReportTargets",
                column: "Key");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_ReportId",
                table: "Cases",
                column: "ReportId");
        }
    }
}
