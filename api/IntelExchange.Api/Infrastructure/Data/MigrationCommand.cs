using IntelExchange.Api.Infrastructure.Hosting;

namespace IntelExchange.Api.Infrastructure.Data;

/// <summary>
/// <c>IntelExchange.Api --migrate-only</c>: brings the database schema up to date and exits (0 on success), without
/// opening a listener or needing certificates, keys or the broker. What a deployment's migration job runs before the
/// API instances start with <c>Persistence:MigrateOnStartup=false</c>.
/// </summary>
internal static class MigrationCommand
{
    public const string Switch = "--migrate-only";

    public static bool IsRequested(string[] args) => args.Contains(Switch, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args.Where(a => a != Switch).ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddExchangePersistence(builder.Configuration, ExchangeSettings.ReadDataPath(builder.Configuration));
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MigrationCommand));
        using var stopping = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<ExchangeDb>(), logger, stopping.Token);
            return 0;
        }
        catch (Exception exception)
        {
            logger.LogError("Migration failed: {Error}: {Message}", exception.GetType().Name, exception.Message);
            return 1;
        }
    }
}
