namespace IntelExchange.Api.Features.Cases;

/// <summary><c>Cases:MaxOrderDuration</c> (default 365 days) and <c>Cases:ExpiryIntervalSeconds</c> (default 5).</summary>
internal sealed record CaseOptions(TimeSpan MaxOrderDuration, TimeSpan ExpiryInterval)
{
    public static CaseOptions From(IConfiguration configuration)
    {
        var maxOrderDuration = configuration.GetValue("Cases:MaxOrderDuration", TimeSpan.FromDays(365));
        var expirySeconds = configuration.GetValue("Cases:ExpiryIntervalSeconds", 5.0);
        if (maxOrderDuration <= TimeSpan.Zero || expirySeconds <= 0)
        {
            throw new InvalidOperationException("Cases:MaxOrderDuration and Cases:ExpiryIntervalSeconds must be positive.");
        }
        return new CaseOptions(maxOrderDuration, TimeSpan.FromSeconds(expirySeconds));
    }
}
