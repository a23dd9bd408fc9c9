using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Infrastructure.Data;

internal static class PersistenceExtensions
{
    /// <summary>SQLite in the data folder by default; PostgreSQL with <c>Persistence:Provider=postgres</c>.</summary>
    public static IServiceCollection AddExchangePersistence(this IServiceCollection services, IConfiguration configuration, ExchangeSettings settings)
    {
        var provider = configuration["Persistence:Provider"] ?? "sqlite";
        var connectionString = configuration.GetConnectionString("IntelExchange");
        switch (provider)
        {
            case "sqlite":
                connectionString ??= $"Data Source={Path.Combine(settings.DataPath, "intelx.db")}";
                services.AddDbContextPool<ExchangeDb>(options => options.UseSqlite(connectionString, sqlite => sqlite.CommandTimeout(30)));
                break;
            case "postgres":
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Persistence:Provider=postgres needs ConnectionStrings:IntelExchange.");
                }
                services.AddDbContextPool<ExchangeDb>(options => options.UseNpgsql(connectionString, npgsql => npgsql.CommandTimeout(30)));
                break;
            default:
                throw new InvalidOperationException($"Persistence:Provider must be sqlite or postgres, not '{provider}'.");
        }

        services.AddHostedService<DatabaseMigrator>();
        return services;
    }
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
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        if (db.IsPostgres)
        {
            await db.Database.MigrateAsync(cancellationToken);
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
        }
        logger.LogInformation("Database ready ({Provider})", db.Database.ProviderName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
