using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntelExchange.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AuditLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CertificatePem",
                table: "ClientCredentials",
                type: "character varying(16000)",
                maxLength: 16000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AuditCheckpoints",
                columns: table => new
                {
                    TreeSize = table.Column<long>(type: "bigint", nullable: false),
                    RootHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Jws = table.Column<string>(type: "text", nullable: false),
                    TimestampToken = table.Column<byte[]>(type: "bytea", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditCheckpoints", x => x.TreeSize);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Index = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Actor = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SubjectType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SubjectId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Parties = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Entry = table.Column<byte[]>(type: "bytea", nullable: false),
                    EntryHash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Index);
                });

            migrationBuilder.CreateTable(
                name: "AuditLedgerHeads",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    LastHash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditLedgerHeads", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "AuditLedgerHeads",
                columns: new[] { "Id", "LastHash", "Size" },
                values: new object[] { 1, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 0L });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_SubjectType_SubjectId",
                table: "AuditEntries",
                columns: new[] { "SubjectType", "SubjectId" });

            // The ledger is append-only: no UPDATE, DELETE or TRUNCATE, whoever asks (the application role included).
            migrationBuilder.Sql("""
                CREATE FUNCTION intelx_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER "AuditEntries_append_only" BEFORE UPDATE OR DELETE ON "AuditEntries"
                    FOR EACH ROW EXECUTE FUNCTION intelx_refuse_audit_change();
                CREATE TRIGGER "AuditEntries_no_truncate" BEFORE TRUNCATE ON "AuditEntries"
                    FOR EACH STATEMENT EXECUTE FUNCTION intelx_refuse_audit_change();
                CREATE TRIGGER "AuditCheckpoints_append_only" BEFORE UPDATE OR DELETE ON "AuditCheckpoints"
                    FOR EACH ROW EXECUTE FUNCTION intelx_refuse_audit_change();
                CREATE TRIGGER "AuditCheckpoints_no_truncate" BEFORE TRUNCATE ON "AuditCheckpoints"
                    FOR EACH STATEMENT EXECUTE FUNCTION intelx_refuse_audit_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "AuditEntries_append_only" ON "AuditEntries";
                DROP TRIGGER IF EXISTS "AuditEntries_no_truncate" ON "AuditEntries";
                DROP TRIGGER IF EXISTS "AuditCheckpoints_append_only" ON "AuditCheckpoints";
                DROP TRIGGER IF EXISTS "AuditCheckpoints_no_truncate" ON "AuditCheckpoints";
                DROP FUNCTION IF EXISTS intelx_refuse_audit_change();
                """);

            migrationBuilder.DropTable(
                name: "AuditCheckpoints");

            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "AuditLedgerHeads");

            migrationBuilder.DropColumn(
                name: "CertificatePem",
                table: "ClientCredentials");
        }
    }
}
