using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Contracts.V1;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>Optional RFC 3161 time-stamps on checkpoints, against a fake authority on loopback.</summary>
public sealed class CheckpointTimestampTests
{
    [Fact]
    public async Task A_checkpoint_carries_the_authority_s_time_stamp_over_its_exact_bytes()
    {
        await using var authority = await FakeTimestampAuthority.StartAsync();
        using var server = new ExchangeServer(new Dictionary<string, string?> { ["Audit:TimestampAuthorityUrl"] = authority.Url.ToString() });
        using var ifpi = new Partner(server, "ifpi");
        await SubmitAsync(ifpi);

        var checkpoint = await AuditSteps.LatestCheckpointAsync(ifpi.Http);

        Assert.NotNull(checkpoint.TimestampToken);
        var stampedAt = Checkpoints.VerifyTimestamp(checkpoint.Checkpoint, checkpoint.TimestampToken, [authority.Certificate]);
        Assert.InRange(stampedAt, checkpoint.IssuedAt.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(1, authority.Requests);
        var otherCheckpoint = checkpoint.Checkpoint[..^4] + "AAAA";
        Assert.Throws<CryptographicException>(() => Checkpoints.VerifyTimestamp(otherCheckpoint, checkpoint.TimestampToken));
        using var otherAuthority = SelfSigned("CN=Another TSA");
        Assert.Throws<CryptographicException>(() => Checkpoints.VerifyTimestamp(checkpoint.Checkpoint, checkpoint.TimestampToken, [otherAuthority]));

        var witnessed = server.WithDb(db => db.OutboxMessages.Where(m => m.MessageType == nameof(AuditCheckpointIssued)).ToList())
            .Select(m => JsonSerializer.Deserialize<AuditCheckpointIssued>(m.Body, Outbox.MessageJson)!).ToList();
        Assert.NotEmpty(witnessed);
        Assert.All(witnessed, w => Assert.Equal(checkpoint.TimestampToken, w.TimestampToken));
    }

    [Fact]
    public async Task A_checkpoint_is_still_issued_without_a_time_stamp_when_the_authority_is_down()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var server = new ExchangeServer(new Dictionary<string, string?>
        {
            ["Audit:TimestampAuthorityUrl"] = $"http://127.0.0.1:{closedPort}/tsa",
            ["Audit:TimestampTimeoutSeconds"] = "2",
        });
        using var ifpi = new Partner(server, "ifpi");

        var checkpoint = await AuditSteps.LatestCheckpointAsync(ifpi.Http);

        Assert.Null(checkpoint.TimestampToken);
        Assert.Equal(server.LedgerSize(), checkpoint.TreeSize);
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.8")], critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
