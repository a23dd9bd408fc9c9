using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>An agency on the bus learns of flags and duplicates as the HTTP reader does (real RabbitMQ and PostgreSQL).</summary>
public sealed class SharedFlagsTests
{
    [Fact]
    public async Task The_report_shared_with_the_agency_carries_each_targets_flags_and_duplicate_link()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        using var server = ExchangeServer.Postgres("sharedflags", vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");
        var name = Unique();
        var first = await SubmitAsync(ifpi, Domain(name));

        var second = await SubmitAsync(ifpi, Domain("pirate.github.io"), Domain(name));

        Assert.True(await indecopi.Received.WaitForReportsAsync(2, TimeSpan.FromSeconds(10)));
        var shared = indecopi.Received.Reports.Single(r => r.ReportId == second.GetProperty("reportId").GetGuid());
        Assert.Equal("domain_suffix:github.io", Assert.Single(shared.TargetChecks![0].Flags).Rule);
        Assert.Empty(shared.TargetChecks[1].Flags);
        Assert.Null(shared.CaseTargets![0].DuplicateOf);
        Assert.Equal(CaseOf(first), shared.CaseTargets[1].DuplicateOf!.CaseId);
        Assert.All(shared.CaseTargets, t => Assert.Equal(TargetOutcome.Pending, t.Outcome));
    }
}
