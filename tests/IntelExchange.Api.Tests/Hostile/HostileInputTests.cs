using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Hostile;

/// <summary>One exchange for the whole corpus, on real Kestrel with TLS, and the partners that attack it.</summary>
public sealed class HostileExchange : IDisposable
{
    public HostileExchange() => Context = new HostileContext(Server);

    public ExchangeServer Server { get; } = new();
    public HostileContext Context { get; }

    public void Dispose()
    {
        Context.Dispose();
        Server.Dispose();
    }
}

public sealed class HostileInputTests(HostileExchange exchange) : IClassFixture<HostileExchange>
{
    private static readonly Dictionary<string, HostileRequest> ByName = HostileCorpus.All.ToDictionary(r => r.Name);

    public static TheoryData<string> Names => [.. HostileCorpus.All.Select(r => r.Name)];

    [Fact]
    public void The_corpus_holds_at_least_150_distinct_requests() =>
        Assert.InRange(HostileCorpus.All.Select(r => r.Name).Distinct().Count(), 150, int.MaxValue);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Is_refused_with_a_4xx_problem_and_stores_nothing(string name)
    {
        var hostile = ByName[name];
        var context = exchange.Context;
        if (hostile.Setup is not null)
        {
            await hostile.Setup(context);
        }
        var before = StoredRows.Count(exchange.Server);

        HttpResponseMessage? response;
        try
        {
            response = await hostile.Send(context);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            // The server closed the connection rather than answer (a slow or oversized request): refused, nothing stored.
            // The client's own timeout is not caught: a request the server lets hang is a failure, not a refusal.
            Assert.Equal(before, StoredRows.Count(exchange.Server));
            return;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status is >= 400 and < 500, $"{name}: expected a 4xx, got {status}: {text}");
            if (!hostile.ServerLevel || text.Length > 0)
            {
                Assert.True(ProblemAssert.MediaType == response.Content.Headers.ContentType?.MediaType,
                    $"{name}: {status} without a problem body: {response.Content.Headers.ContentType} {text}");
                var problem = JsonDocument.Parse(text).RootElement;
                Assert.StartsWith(ProblemKind.BaseUri, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
                Assert.Equal(status, problem.GetProperty("status").GetInt32());
                Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            }
        }
        Assert.Equal(before, StoredRows.Count(exchange.Server));
    }

    /// <summary>
    /// Free-text fields are data, not code: the same injection strings there are accepted as printable text and kept
    /// byte for byte, and come back unchanged; nothing interprets them.
    /// </summary>
    [Theory]
    [InlineData("' OR '1'='1' --")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("${jndi:ldap://127.0.0.1/x}")]
    [InlineData("{{7*7}} $(id) `id`")]
    [InlineData("../../../../etc/passwd")]
    public async Task Injection_strings_in_free_text_are_stored_verbatim_as_inert_text(string payload)
    {
        var report = JsonNode.Parse(SampleReports.Json())!.AsObject();
        report["notes"] = payload;
        report["works"]![0]!["title"] = payload;
        report["evidence"]![0]!["description"] = payload;
        var body = System.Text.Encoding.UTF8.GetBytes(report.ToJsonString());

        using var response = await exchange.Context.Ifpi.SubmitAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var reportId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reportId"]!.GetValue<Guid>();
        var read = JsonNode.Parse(await exchange.Context.Ifpi.Http.GetStringAsync($"/v1/reports/{reportId}"))!;

        Assert.Equal(body, exchange.Server.WithDb(db => db.Reports.Single(r => r.Id == reportId).Body));
        Assert.Equal(payload, read["report"]!["notes"]!.GetValue<string>());
        Assert.Equal(payload, read["report"]!["works"]![0]!["title"]!.GetValue<string>());
    }
}
