using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Infrastructure.Data;

internal static class UniqueViolation
{
    /// <summary>True when a save failed because a unique index or primary key already holds the value.</summary>
    public static bool Is(DbUpdateException exception) => exception.InnerException switch
    {
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };
}
