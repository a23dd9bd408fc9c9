using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Http;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Client;

public sealed class IntelExchangeClientTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public IntelExchangeClientTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task Tells_who_the_client_certificate_identifies()
    {
        using var esMcd = _server.SdkClientFor("es-mcd");

        var identity = await esMcd.GetIdentityAsync();

        Assert.Equal("es-mcd", identity.TenantId);
        Assert.Contains("reporter", identity.Roles);
        Assert.Contains("agency", identity.Roles);
    }

    [Fact]
    public async Task Submits_a_report_whose_receipt_verifies_against_the_jwks_and_vouches_for_the_exact_bytes()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        var report = SdkClients.Report();

        var submission = await ifpi.SubmitReportAsync(report);
        var receipt = IntelExchangeClient.VerifyReceipt(submission.Accepted.Receipt, await ifpi.GetJwksAsync());

        Assert.False(submission.Replayed);
        Assert.Equal(submission.Accepted.ReportId, receipt.ReportId);
        Assert.Equal("ifpi", receipt.Tenant);
        Assert.Equal(submission.Accepted.BodySha256, receipt.BodySha256);
        var stored = _server.WithDb(db => db.Reports.Single(r => r.Id == receipt.ReportId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored.Body)), receipt.BodySha256);
        Assert.Equal(stored.Jti, receipt.Jti);
        Assert.Equal(report.ExternalId, (await ifpi.GetReportAsync(receipt.ReportId)).ExternalId);
    }

    [Fact]
    public async Task Refuses_a_receipt_that_was_altered_or_signed_by_a_key_outside_the_jwks()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        var receipt = (await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.Receipt;
        var jwks = await ifpi.GetJwksAsync();
        var parts = receipt.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"tenant\":\"ifpi\"", "\"tenant\":\"es-mcd\"", StringComparison.Ordinal);
        var altered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        Assert.Throws<CryptographicException>(() => IntelExchangeClient.VerifyReceipt(altered, jwks));
        Assert.Throws<CryptographicException>(() => IntelExchangeClient.VerifyReceipt(receipt, new JsonWebKeySet { Keys = [] }));
    }

    [Fact]
    public async Task Reads_a_report_as_its_submitter_and_as_the_agency_but_a_stranger_gets_a_not_found_problem()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        using var indecopi = _server.SdkClientFor("indecopi");
        using var esMcd = _server.SdkClientFor("es-mcd");
        var reportId = (await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId;

        var bySubmitter = await ifpi.GetReportAsync(reportId);
        var byAgency = await indecopi.GetReportAsync(reportId);
        var refusal = await Assert.ThrowsAsync<IntelExchangeProblemException>(() => esMcd.GetReportAsync(reportId));

        Assert.Equal("ifpi", bySubmitter.Submitter);
        Assert.Equal("indecopi", Assert.Single(byAgency.Cases).Agency);
        Assert.Equal(HttpStatusCode.NotFound, refusal.Status);
        Assert.Equal("not-found", refusal.Slug);
    }

    [Fact]
    public async Task Lists_every_own_report_once_by_following_the_cursor()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        var submitted = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            submitted.Add((await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId);
        }

        var listed = new List<Guid>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = await ifpi.ListReportsAsync(ReportStatus.Received, after, limit: 2);
            listed.AddRange(page.Items.Select(item => item.ReportId));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Subset(listed.ToHashSet(), submitted.ToHashSet());
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.True(pages >= 3);
    }

    [Fact]
    public async Task An_agency_follows_its_feed_as_reports_arrive_and_resumes_after_the_last_item_it_saw()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        using var indecopi = _server.SdkClientFor("indecopi");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = (await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId;

        await using var feed = indecopi.FollowIntelFeedAsync(pollInterval: TimeSpan.FromMilliseconds(100), limit: 50, cancellationToken: timeout.Token)
            .GetAsyncEnumerator(timeout.Token);
        var firstEntry = await NextWithReportAsync(feed, first);
        var second = (await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId;
        var secondEntry = await NextWithReportAsync(feed, second);

        var third = (await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId;
        await using var resumed = indecopi.FollowIntelFeedAsync(secondEntry.ResumeAfter, TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token)
            .GetAsyncEnumerator(timeout.Token);
        Assert.True(await resumed.MoveNextAsync());

        Assert.Equal("ifpi", firstEntry.Item.Submitter);
        Assert.Equal(third, resumed.Current.Item.ReportId);
        Assert.Equal(second, secondEntry.Item.ReportId);
    }

    [Fact]
    public async Task A_report_that_does_not_validate_surfaces_as_a_problem_with_its_field_errors()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        var report = SdkClients.Report(targets: [new ReportTarget { Type = TargetType.Url, Value = "ftp://y2mate.example/file" }]);

        var problem = await Assert.ThrowsAsync<IntelExchangeProblemException>(() => ifpi.SubmitReportAsync(report));

        Assert.Equal(HttpStatusCode.BadRequest, problem.Status);
        Assert.Equal("https://intelexchange.example/problems/validation-failed", problem.Type);
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.Contains(problem.Errors.Keys, field => field.StartsWith("targets[0]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retry_after_a_lost_answer_sends_the_same_key_and_signature_and_gets_the_original_report_back()
    {
        var loseFirst = new LoseFirstAnswer();
        using var ifpi = _server.SdkClientFor("ifpi", transport => { loseFirst.InnerHandler = transport; return loseFirst; });
        var report = SdkClients.Report();

        var submission = await ifpi.SubmitReportAsync(report);

        Assert.Equal(2, loseFirst.Attempts.Count);
        Assert.Equal(loseFirst.Attempts[0], loseFirst.Attempts[1]);
        Assert.True(submission.Replayed);
        Assert.Equal(loseFirst.LostAnswer!.ReportId, submission.Accepted.ReportId);
        Assert.Equal(1, _server.WithDb(db => db.Reports.Count(r => r.ExternalId == report.ExternalId)));
    }

    [Fact]
    public async Task The_same_body_under_the_same_key_with_a_fresh_signature_is_answered_from_the_idempotency_record()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        var body = Encoding.UTF8.GetBytes(SampleReports.Json());
        var key = "sdk-" + Guid.NewGuid();

        var original = await ifpi.SubmitReportAsync(body, key);
        var again = await ifpi.SubmitReportAsync(body, key);

        Assert.False(original.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(original.Accepted.ReportId, again.Accepted.ReportId);
        Assert.Equal(original.Accepted.Receipt, again.Accepted.Receipt);
    }

    [Fact]
    public async Task Another_body_under_a_used_key_is_refused_at_once_without_retrying()
    {
        var counter = new LoseFirstAnswer { LoseAnswers = false };
        using var ifpi = _server.SdkClientFor("ifpi", transport => { counter.InnerHandler = transport; return counter; });
        var key = "sdk-" + Guid.NewGuid();
        await ifpi.SubmitReportAsync(SdkClients.Report(), key);

        var problem = await Assert.ThrowsAsync<IntelExchangeProblemException>(() => ifpi.SubmitReportAsync(SdkClients.Report(), key));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, problem.Status);
        Assert.Equal("idempotency-key-reused", problem.Slug);
        Assert.Equal(2, counter.Attempts.Count);
    }

    private static async Task<IntelFeedEntry> NextWithReportAsync(IAsyncEnumerator<IntelFeedEntry> feed, Guid reportId)
    {
        while (await feed.MoveNextAsync())
        {
            if (feed.Current.Item.ReportId == reportId)
            {
                return feed.Current;
            }
        }
        throw new InvalidOperationException("The feed ended.");
    }

    /// <summary>Lets the first POST reach the exchange, then throws its answer away and says 503, as a dying proxy would.</summary>
    private sealed class LoseFirstAnswer : DelegatingHandler
    {
        public bool LoseAnswers { get; init; } = true;
        public List<(string Key, string Signature)> Attempts { get; } = [];
        public ReportAccepted? LostAnswer { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method != HttpMethod.Post)
            {
                return response;
            }
            lock (Attempts)
            {
                Attempts.Add((request.Headers.GetValues("Idempotency-Key").Single(), request.Headers.GetValues("X-JWS-Signature").Single()));
            }
            if (!LoseAnswers || LostAnswer is not null)
            {
                return response;
            }
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            LostAnswer = await response.Content.ReadFromJsonAsync<ReportAccepted>(cancellationToken);
            response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
        }
    }
}
