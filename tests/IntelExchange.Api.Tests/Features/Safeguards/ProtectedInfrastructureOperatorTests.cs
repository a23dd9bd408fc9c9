using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>The operator's additions to the protected lists: validation, effect on intake, removal, and who may do it.</summary>
public abstract class ProtectedInfrastructureOperatorTests(ExchangeServer server) : IDisposable
{
    private const string Path = "/v1/operator/protected-infrastructure";
    private readonly HttpClient _operator = server.ClientFor("operator");
    private readonly Partner _ifpi = new(server, "ifpi");

    public void Dispose()
    {
        _operator.Dispose();
        _ifpi.Dispose();
        GC.SuppressFinalize(this);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static Task<HttpResponseMessage> AddAsync(HttpClient client, string kind, string value, string reason = "A shared host of many sites") =>
        client.PostAsync(Path, Json(JsonSerializer.Serialize(new { kind, value, reason })));

    [Fact]
    public async Task An_added_IDN_suffix_flags_new_targets_under_it_until_it_is_removed()
    {
        var label = $"bücher{Guid.NewGuid():N}"[..16];
        var added = await AddAsync(_operator, "domain", $"{label.ToUpperInvariant()}.example.");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var entry = (await added.Content.ReadFromJsonAsync<JsonElement>());
        var value = entry.GetProperty("value").GetString()!;
        Assert.StartsWith("xn--", value, StringComparison.Ordinal);
        Assert.Equal("operator", entry.GetProperty("addedBy").GetString());
        Assert.Equal($"{Path}/{entry.GetProperty("id").GetGuid()}", added.Headers.Location!.OriginalString);

        var flagged = await SubmitAsync(_ifpi, Domain($"www.{label}.example"), Url($"https://cdn.{value}/x"));
        Assert.Equal([$"domain_suffix:{value}"], Rules(flagged.GetProperty("targets")[0]));
        Assert.Equal([$"domain_suffix:{value}"], Rules(flagged.GetProperty("targets")[1]));
        Assert.Contains("added by operator", flagged.GetProperty("targets")[0].GetProperty("flags")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);

        var list = await GetJsonAsync(_operator, Path);
        Assert.Contains(list.GetProperty("additions").EnumerateArray(), a => a.GetProperty("value").GetString() == value);
        Assert.Contains(list.GetProperty("shipped").EnumerateArray(), s => s.GetProperty("owner").GetString() == "Cloudflare" && s.GetProperty("ranges").GetInt32() > 10);

        var again = await AddAsync(_operator, "domain", value);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("https://intelexchange.example/problems/protected-entry-exists", ProblemType(await again.Content.ReadFromJsonAsync<JsonElement>()));

        Assert.Equal(HttpStatusCode.NoContent, (await _operator.DeleteAsync($"{Path}/{entry.GetProperty("id").GetGuid()}")).StatusCode);
        var after = await SubmitAsync(_ifpi, Domain($"www.{label}.example"));
        Assert.Empty(Rules(after.GetProperty("targets")[0]));
        Assert.Equal(HttpStatusCode.NotFound, (await _operator.DeleteAsync($"{Path}/{entry.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal([$"domain_suffix:{value}"], Rules((await GetJsonAsync(_ifpi.Http, $"/v1/reports/{flagged.GetProperty("reportId").GetGuid()}")).GetProperty("targets")[0]));
    }

    [Fact]
    public async Task An_added_range_flags_addresses_in_it_including_their_IPv4_mapped_form()
    {
        var prefix = $"198.51.{Random.Shared.Next(0, 255)}";
        var added = await AddAsync(_operator, "cidr", $"{prefix}.0/24");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        var flagged = await SubmitAsync(_ifpi, Ip("ipv4", $"{prefix}.77"), Ip("ipv6", $"::ffff:{prefix}.78"), Ip("ipv4", "198.50.1.1"));

        Assert.Equal([$"cidr:{prefix}.0/24"], Rules(flagged.GetProperty("targets")[0]));
        Assert.Equal([$"cidr:{prefix}.0/24"], Rules(flagged.GetProperty("targets")[1]));
        Assert.Empty(Rules(flagged.GetProperty("targets")[2]));
        await _operator.DeleteAsync($"{Path}/{(await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()}");
    }

    [Theory]
    [InlineData("""{ "kind": "cidr", "value": "198.51.100.1/24", "reason": "x" }""", "validation-failed")]
    [InlineData("""{ "kind": "cidr", "value": "96.0.0.0/4", "reason": "x" }""", "validation-failed")]
    [InlineData("""{ "kind": "cidr", "value": "2000::/8", "reason": "x" }""", "validation-failed")]
    [InlineData("""{ "kind": "cidr", "value": "example.com", "reason": "x" }""", "validation-failed")]
    [InlineData("""{ "kind": "domain", "value": "localhost", "reason": "x" }""", "validation-failed")]
    [InlineData("""{ "kind": "domain", "value": "exa mple.com", "reason": "x" }""", "validation-failed")]
    [InlineData("""{ "kind": "domain", "value": "example.com", "reason": "" }""", "validation-failed")]
    [InlineData("""{ "kind": "domain", "value": "example.com", "reason": "x", "addedBy": "ifpi" }""", "malformed-json")]
    [InlineData("""{ "kind": "asn", "value": "AS13335", "reason": "x" }""", "malformed-json")]
    [InlineData("""{ "kind": "domain", "value": "example.com" }""", "malformed-json")]
    public async Task Refuses_an_addition_that_is_not_exactly_a_domain_or_range_and_stores_nothing(string body, string problem)
    {
        var before = (await GetJsonAsync(_operator, Path)).GetProperty("additions").GetArrayLength();

        var response = await _operator.PostAsync(Path, Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"https://intelexchange.example/problems/{problem}", ProblemType(await response.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal(before, (await GetJsonAsync(_operator, Path)).GetProperty("additions").GetArrayLength());
    }

    [Fact]
    public async Task Only_an_operator_may_read_or_change_the_protected_lists()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _ifpi.Http.GetAsync(Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AddAsync(_ifpi.Http, "domain", "ifpi-wants-this.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _ifpi.Http.DeleteAsync($"{Path}/{Guid.NewGuid()}")).StatusCode);
        Assert.DoesNotContain((await GetJsonAsync(_operator, Path)).GetProperty("additions").EnumerateArray(),
            a => a.GetProperty("value").GetString() == "ifpi-wants-this.example");
    }
}

public sealed class ProtectedInfrastructureOperatorOnSqliteTests(SqliteExchange fixture)
    : ProtectedInfrastructureOperatorTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class ProtectedInfrastructureOperatorOnPostgresTests(PostgresExchange fixture)
    : ProtectedInfrastructureOperatorTests(fixture.Server), IClassFixture<PostgresExchange>;

/// <summary>Two instances on one PostgreSQL database: an addition made on one flags targets on the other within a second.</summary>
public sealed class ProtectedInfrastructureAcrossInstancesTests
{
    [Fact]
    public async Task An_addition_on_one_instance_flags_targets_on_another_within_a_second()
    {
        var database = TestServices.PostgresDatabase("protected");
        var settings = new Dictionary<string, string?> { ["Persistence:Provider"] = "postgres", ["ConnectionStrings:IntelExchange"] = database };
        using var first = new ExchangeServer(settings);
        using var second = new ExchangeServer(settings, dataPath: first.DataPath);
        using var operatorOnFirst = first.ClientFor("operator");
        using var ifpiOnSecond = new Partner(second, "ifpi");
        var name = Unique("shared-host");
        Assert.Empty(Rules((await SubmitAsync(ifpiOnSecond, Domain($"a.{name}"))).GetProperty("targets")[0]));

        var added = await ProtectedInfrastructureOperatorTests.AddAsync(operatorOnFirst, "domain", name);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var flagged = await SubmitAsync(ifpiOnSecond, Domain($"b.{name}"));
        Assert.Equal([$"domain_suffix:{name}"], Rules(flagged.GetProperty("targets")[0]));
    }
}
