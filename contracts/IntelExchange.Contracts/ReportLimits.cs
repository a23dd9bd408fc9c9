namespace IntelExchange.Contracts;

/// <summary>The size limits of a v1 report, as the exchange enforces them (and as openapi.yaml and report.v1.json state).</summary>
public static class ReportLimits
{
    /// <summary>Longest <c>externalId</c>.</summary>
    public const int ExternalId = 100;

    /// <summary>Most targets in one report.</summary>
    public const int MaxTargets = 1000;

    /// <summary>Most works in one report.</summary>
    public const int MaxWorks = 1000;

    /// <summary>Most evidence items in one report.</summary>
    public const int MaxEvidence = 100;

    /// <summary>Most recipients in <c>shareWith</c>.</summary>
    public const int MaxRecipients = 20;

    /// <summary>Longest tenant id.</summary>
    public const int TenantId = 63;

    /// <summary>Longest <c>notes</c>.</summary>
    public const int Notes = 4000;

    /// <summary>Longest MOU or order reference.</summary>
    public const int Reference = 200;

    /// <summary>Longest URL (and target value).</summary>
    public const int Url = 2048;

    /// <summary>Longest application id or name, or live event name.</summary>
    public const int Name = 200;

    /// <summary>Longest title, artist or rights holder of a work.</summary>
    public const int WorkText = 300;

    /// <summary>Longest evidence description.</summary>
    public const int Description = 2000;

    /// <summary>Most items on one page of a list.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Longest paging cursor.</summary>
    public const int MaxCursor = 512;

    /// <summary>Longest signed body, base64 (a 1 MiB body; the exchange's default limit, Reports:MaxBodyBytes).</summary>
    public const int MaxBodyBase64 = 1_398_104;
}

/// <summary>The size limits of case moves, as the exchange enforces them.</summary>
public static class CaseLimits
{
    /// <summary>Longest reason of a move.</summary>
    public const int Reason = 2000;

    /// <summary>Longest note of a move.</summary>
    public const int Note = 4000;

    /// <summary>Most entries in a case's history: a case that has made this many moves refuses more (409).</summary>
    public const int MaxHistory = 1000;
}
