using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IntelExchange.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Safeguards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LiveEventEndsAt",
                table: "Reports",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DecisionMilliseconds",
                table: "Cases",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DuplicateTargets",
                table: "Cases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "Enforced",
                table: "Cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "FlaggedTargets",
                table: "Cases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "NotOrderedReason",
                table: "Cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OpenedMonth",
                table: "Cases",
                type: "character varying(7)",
                maxLength: 7,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "OrderedTargets",
                table: "Cases",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "SafeguardOverridden",
                table: "Cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "TargetCount",
                table: "Cases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "NotOrderedReason",
                table: "CaseEvents",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OrderedTargets",
                table: "CaseEvents",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SafeguardOverrideReason",
                table: "CaseEvents",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SafeguardOverrideTargets",
                table: "CaseEvents",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ProtectedEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Value = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    AddedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AddedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProtectedEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProtectedListStates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProtectedListStates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReportTargets",
                columns: table => new
                {
                    ReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    Index = table.Column<int>(type: "integer", nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Flags = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportTargets", x => new { x.ReportId, x.Index });
                    table.ForeignKey(
                        name: "FK_ReportTargets_Reports_ReportId",
                        column: x => x.ReportId,
                        principalTable: "Reports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TargetDuplicates",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Index = table.Column<int>(type: "integer", nullable: false),
                    DuplicateOfCaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    DuplicateOfReportId = table.Column<Guid>(type: "uuid", nullable: false),
                    DuplicateOfIndex = table.Column<int>(type: "integer", nullable: false),
                    DuplicateOfReporterId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TargetDuplicates", x => new { x.CaseId, x.Index });
                    table.ForeignKey(
                        name: "FK_TargetDuplicates_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "ProtectedListStates",
                columns: new[] { "Id", "Version" },
                values: new object[] { 1, 1L });

            // Cases opened before this migration: their month and target count, so the statistics count them too.
            migrationBuilder.Sql("""
                UPDATE "Cases" AS c SET "OpenedMonth" = to_char(c."CreatedAt" AT TIME ZONE 'UTC', 'YYYY-MM'),
                    "TargetCount" = COALESCE(jsonb_array_length(convert_from(r."Body", 'UTF8')::jsonb -> 'targets'), 0)
                FROM "Reports" AS r WHERE r."Id" = c."ReportId";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_AgencyId_CreatedAt",
                table: "Cases",
                columns: new[] { "AgencyId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_CreatedAt",
                table: "Cases",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_ReporterId_CreatedAt",
                table: "Cases",
                columns: new[] { "ReporterId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ProtectedEntries_Kind_Value",
                table: "ProtectedEntries",
                columns: new[] { "Kind", "Value" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReportTargets_Key",
                table: "ReportTargets",
                column: "Key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProtectedEntries");

            migrationBuilder.DropTable(
                name: "ProtectedListStates");

            migrationBuilder.DropTable(
                name: "ReportTargets");

            migrationBuilder.DropTable(
                name: "TargetDuplicates");

            migrationBuilder.DropIndex(
                name: "IX_Cases_AgencyId_CreatedAt",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_CreatedAt",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_ReporterId_CreatedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "LiveEventEndsAt",
                table: "Reports");

            migrationBuilder.DropColumn(
                name: "DecisionMilliseconds",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DuplicateTargets",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Enforced",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "FlaggedTargets",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "NotOrderedReason",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "OpenedMonth",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "OrderedTargets",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "SafeguardOverridden",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "TargetCount",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "NotOrderedReason",
                table: "CaseEvents");

            migrationBuilder.DropColumn(
                name: "OrderedTargets",
                table: "CaseEvents");

            migrationBuilder.DropColumn(
                name: "SafeguardOverrideReason",
                table: "CaseEvents");

            migrationBuilder.DropColumn(
                name: "SafeguardOverrideTargets",
                table: "CaseEvents");
        }
    }
}
