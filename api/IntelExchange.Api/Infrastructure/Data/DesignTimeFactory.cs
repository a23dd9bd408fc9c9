using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IntelExchange.Api.Infrastructure.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without starting the host. Migrations are kept for
/// PostgreSQL only; the embedded SQLite database is created from the model.
/// </summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ExchangeDb>
{
    public ExchangeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ExchangeDb>().UseNpgsql("Host=127.0.0.1;Database=intelx_design").Options);
}
