namespace IntelExchange.Api.Features.Cases;

/// <summary>
/// <c>Cases:MaxOrderDuration</c> (default 365 days), <c>Cases:ExpiryIntervalSeconds</c> (default 5) and
/// <c>Cases:LiveEventMargin</c> (default 2 hours: how long after a live event's end its orders last by default).
/// </summary>
internal sealed record CaseOptions(TimeSpan MaxOrderDuration, TimeSpan ExpiryInterval, TimeSpan LiveEventMargin)
{
    public static CaseOptions From(IConfiguration configuration)
    {
        var maxOrderDuration = configuration.GetValue("Cases:MaxOrderDuration", TimeSpan.FromDays(365));
        var expirySeconds = configuration.GetValue("Cases:ExpiryIntervalSeconds", 5.0);
        var liveEventMargin = configuration.GetValue("Cases:LiveEventMargin", TimeSpan.FromHours(2));
        if (maxOrderDuration <= TimeSpan.Zero || expirySeconds <= 0 || liveEventMargin < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Cases:MaxOrderDuration and Cases:ExpiryIntervalSeconds must be positive, Cases:LiveEventMargin not negative.");
        }
        return new CaseOptions(maxOrderDuration, TimeSpan.FromSeconds(expirySeconds), liveEventMargin);
    }
}
