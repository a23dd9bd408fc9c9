using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>A target already in an open case of the same agency is linked to it, however it is spelled.</summary>
public abstract class DeduplicationTests(ExchangeServer server) : IDisposable
{
    private readonly ExchangeServer _server = server;
    private readonly Partner _ifpi = new(server, "ifpi");
    private readonly Partner _indecopi = new(server, "indecopi");
    private readonly Partner _esMcd = new(server, "es-mcd");

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        _esMcd.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_target_already_in_an_open_case_of_the_agency_is_linked_to_that_case_whatever_its_spelling()
    {
        var name = Unique();
        var address = UniqueIPv4();
        var first = await SubmitAsync(_ifpi, Domain(name), Ip("ipv4", address), Url($"https://{name}/a#top"));
        var second = await SubmitAsync(_ifpi, Domain(Unique()), Domain(name.ToUpperInvariant() + "."), Ip("ipv6", "::ffff:" + address),
            Url($"https://{name.ToUpperInvariant()}:443/a"));

        var earlier = CaseOf(first);
        var seen = second.GetProperty("cases")[0];
        Assert.Equal(JsonValueKind.Null, Outcome(seen, 0).GetProperty("duplicateOf").ValueKind);
        for (var (index, earlierIndex) = (1, 0); index <= 3; index++, earlierIndex++)
        {
            var link = Outcome(seen, index).GetProperty("duplicateOf");
            Assert.Equal(earlier, link.GetProperty("caseId").GetGuid());
            Assert.Equal(first.GetProperty("reportId").GetGuid(), link.GetProperty("reportId").GetGuid());
            Assert.Equal(earlierIndex, link.GetProperty("index").GetInt32());
        }

        var asAgency = await GetJsonAsync(_indecopi.Http, $"/v1/cases/{CaseOf(second)}");
        Assert.Equal(earlier, Outcome(asAgency, 2).GetProperty("duplicateOf").GetProperty("caseId").GetGuid());
        var firstCase = await GetJsonAsync(_indecopi.Http, $"/v1/cases/{earlier}");
        Assert.All(firstCase.GetProperty("targets").EnumerateArray(), t => Assert.Equal(JsonValueKind.Null, t.GetProperty("duplicateOf").ValueKind));
    }

    [Fact]
    public async Task A_later_report_links_to_the_earliest_case_that_is_still_open()
    {
        var name = Unique();
        var first = CaseOf(await SubmitAsync(_ifpi, Domain(name)));
        var second = CaseOf(await SubmitAsync(_ifpi, Domain(name)));
        await MoveAsync(_indecopi.Http, first, new { status = "rejected", reason = "Not infringing" });

        var third = await SubmitAsync(_ifpi, Domain(name));

        Assert.Equal(second, Outcome(third.GetProperty("cases")[0], 0).GetProperty("duplicateOf").GetProperty("caseId").GetGuid());
        await MoveAsync(_indecopi.Http, second, new { status = "rejected", reason = "Not infringing" });
        await MoveAsync(_indecopi.Http, CaseOf(third), new { status = "rejected", reason = "Not infringing" });
        var fourth = await SubmitAsync(_ifpi, Domain(name));
        Assert.Equal(JsonValueKind.Null, Outcome(fourth.GetProperty("cases")[0], 0).GetProperty("duplicateOf").ValueKind);
    }

    [Fact]
    public async Task Another_submitter_learns_that_a_target_is_a_duplicate_but_not_whose_case_it_is()
    {
        await AllowAsync(_server, "es-mcd", "indecopi");
        var name = Unique();
        var first = CaseOf(await SubmitAsync(_ifpi, Domain(name)));

        var second = await SubmitAsync(_esMcd, Report([Domain(name)]));

        var link = Outcome(second.GetProperty("cases")[0], 0).GetProperty("duplicateOf");
        Assert.Equal(JsonValueKind.Object, link.ValueKind);
        Assert.Equal(JsonValueKind.Null, link.GetProperty("caseId").ValueKind);
        Assert.Equal(JsonValueKind.Null, link.GetProperty("reportId").ValueKind);
        var asAgency = await GetJsonAsync(_indecopi.Http, $"/v1/cases/{CaseOf(second)}");
        Assert.Equal(first, Outcome(asAgency, 0).GetProperty("duplicateOf").GetProperty("caseId").GetGuid());
        var asSubmitter = await GetJsonAsync(_esMcd.Http, $"/v1/reports/{second.GetProperty("reportId").GetGuid()}");
        Assert.Equal(JsonValueKind.Null, Outcome(asSubmitter.GetProperty("cases")[0], 0).GetProperty("duplicateOf").GetProperty("caseId").ValueKind);
    }

    [Fact]
    public async Task Duplicates_are_per_agency_so_the_same_target_sent_to_another_agency_is_new_there()
    {
        var name = Unique();
        await SubmitAsync(_ifpi, Report([Domain(name)], ["indecopi"]));

        var both = await SubmitAsync(_ifpi, Report([Domain(name)], ["indecopi", "es-mcd"]));

        var cases = both.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("agency").GetString()!);
        Assert.Equal(JsonValueKind.Object, Outcome(cases["indecopi"], 0).GetProperty("duplicateOf").ValueKind);
        Assert.Equal(JsonValueKind.Null, Outcome(cases["es-mcd"], 0).GetProperty("duplicateOf").ValueKind);
    }
}

public sealed class DeduplicationOnSqliteTests(SqliteExchange fixture) : DeduplicationTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class DeduplicationOnPostgresTests(PostgresExchange fixture) : DeduplicationTests(fixture.Server), IClassFixture<PostgresExchange>;
