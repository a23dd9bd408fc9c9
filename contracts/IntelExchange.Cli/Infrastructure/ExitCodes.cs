namespace IntelExchange.Cli.Infrastructure;

/// <summary>What scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The exchange refused (a problem), a check failed, or some files of a bulk run failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments, missing or unreadable files.</summary>
    public const int Usage = 2;

    /// <summary>The exchange (or broker) could not be reached, or TLS failed, after retries.</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
