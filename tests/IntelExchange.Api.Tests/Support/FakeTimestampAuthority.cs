using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;

namespace IntelExchange.Api.Tests.Support;

/// <summary>
/// An RFC 3161 time-stamp authority on loopback (none is reachable from here): answers application/timestamp-query
/// with a token signed by its own certificate (RSA 2048, critical timeStamping EKU), built with BouncyCastle.
/// </summary>
public sealed class FakeTimestampAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key;
    private long _serial;

    private FakeTimestampAuthority(WebApplication app, RSA key, X509Certificate2 certificate, int port)
    {
        _app = app;
        _key = key;
        Certificate = certificate;
        Url = new Uri($"http://127.0.0.1:{port}/tsa");
    }

    public X509Certificate2 Certificate { get; }
    public Uri Url { get; }
    public int Requests => (int)Interlocked.Read(ref _serial);

    public static async Task<FakeTimestampAuthority> StartAsync()
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=IntelExchange test TSA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.8")], critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var authority = new FakeTimestampAuthority(app, key, certificate, port);
        app.MapPost("/tsa", authority.AnswerAsync);
        await app.StartAsync();
        return authority;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new TimeStampRequest(body.ToArray());
        var signer = DotNetUtilities.FromX509Certificate(Certificate);
        var generator = new TimeStampTokenGenerator(DotNetUtilities.GetRsaKeyPair(_key).Private, signer, TspAlgorithms.Sha256, "1.3.6.1.4.1.99999.1");
        generator.SetCertificates(CollectionUtilities.CreateStore(new[] { signer }));
        var responses = new TimeStampResponseGenerator(generator, TspAlgorithms.Allowed);
        var response = responses.Generate(request, BigInteger.ValueOf(Interlocked.Increment(ref _serial)), DateTime.UtcNow);

        context.Response.ContentType = "application/timestamp-reply";
        await context.Response.Body.WriteAsync(response.GetEncoded());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
        Certificate.Dispose();
    }
}
