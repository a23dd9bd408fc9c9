using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Infrastructure.Data;

internal static class PersistenceExtensions
{
    /// <summary>SQLite in the data folder by default; PostgreSQL with <c>Persistence:Provider=postgres</c>.</summary>
    public static IServiceCollection AddExchangePersistence(this IServiceCollection services, IConfiguration configuration, string dataPath)
    {
        var provider = configuration["Persistence:Provider"] ?? "sqlite";
        var connectionString = configuration.GetConnectionString("IntelExchange");
        switch (provider)
        {
            case "sqlite":
                connectionString ??= $"Data Source={Path.Combine(dataPath, "intelx.db")}";
                services.AddPooledDbContextFactory<ExchangeDb>(options => options.UseSqlite(connectionString, sqlite => sqlite.CommandTimeout(30)));
                break;
            case "postgres":
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Persistence:Provider=postgres needs ConnectionStrings:IntelExchange.");
                }
                services.AddPooledDbContextFactory<ExchangeDb>(options => options.UseNpgsql(Tuned(connectionString), npgsql => npgsql.CommandTimeout(30)));
                break;
            default:
                throw new InvalidOperationException($"Persistence:Provider must be sqlite or postgres, not '{provider}'.");
        }

        // A pooled context per scope, bound to that scope's DataScope (whose rows its query filters let through).
        services.AddScoped<DataScope>();
        services.AddScoped(provider =>
        {
            var db = provider.GetRequiredService<IDbContextFactory<ExchangeDb>>().CreateDbContext();
            db.Scope = provider.GetRequiredService<DataScope>();
            return db;
        });
        services.AddHostedService<DatabaseMigrator>();
        return services;
    }

    /// <summary>
    /// Npgsql settings for the exchange's short transactions, unless the connection string sets them: statements used
    /// twice are prepared on the connection (the intake's inserts are parsed once, not per report), and a connection
    /// going back to the pool is not reset with DISCARD ALL, which would throw those prepared statements away. The
    /// exchange keeps no session state (no SET, temporary tables, LISTEN or advisory locks) for a reset to clear.
    /// </summary>
    internal static string Tuned(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }
        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Brings the schema up to date when the host starts (before the listeners open): migrations on PostgreSQL, the model
/// on SQLite. SQLite runs in WAL mode so readers do not block the writer.
/// </summary>
internal sealed class DatabaseMigrator(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue("Persistence:MigrateOnStartup", true))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        await MigrateAsync(scope.ServiceProvider.GetRequiredService<ExchangeDb>(), logger, cancellationToken);
    }

    public static async Task MigrateAsync(ExchangeDb db, ILogger logger, CancellationToken cancellationToken)
    {
        if (db.IsPostgres)
        {
            // A restart on an up-to-date schema reads the history table and goes on; MigrateAsync would also build the
            // model snapshot to compare (hundreds of milliseconds of a restart) before finding nothing to do.
            if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            logger.LogInformation("Schema at migration {Migration} ({Count} applied)", applied.LastOrDefault(), applied.Count);
        }
        else
        {
            var folder = Path.GetDirectoryName(db.Database.GetDbConnection().DataSource);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
            await db.Database.EnsureCreatedAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await AuditAppendOnly.ProtectSqliteAsync(db, cancellationToken);
            await TargetQuota.CountOnSqliteAsync(db, cancellationToken);
        }
        logger.LogInformation("Database ready ({Provider})", db.Database.ProviderName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
