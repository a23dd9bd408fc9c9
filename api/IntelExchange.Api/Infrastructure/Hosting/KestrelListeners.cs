using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace IntelExchange.Api.Infrastructure.Hosting;

internal static class KestrelListeners
{
    /// <summary>
    /// The partner listener requires a client certificate in the TLS handshake; its chain and its registration are checked
    /// by the certificate authentication handler (one code path, testable). The ops listener is plain HTTP on loopback.
    /// </summary>
    public static void ConfigurePartnerAndOpsListeners(this WebApplicationBuilder builder, ExchangeSettings settings)
    {
        var serverCertificate = LoadServerCertificate(settings.Tls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Listen(ToEndPoint(settings.PartnerListener), listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.AllowAnyClientCertificate();
                    https.HandshakeTimeout = TimeSpan.FromSeconds(10);
                });
            });
            kestrel.Listen(ToEndPoint(settings.OpsListener), listen => listen.Protocols = HttpProtocols.Http1);
        });
    }

    private static X509Certificate2 LoadServerCertificate(TlsSettings tls)
    {
        using var pem = X509Certificate2.CreateFromPemFile(tls.ServerCertificatePath, tls.ServerKeyPath);
        // Re-import through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static IPEndPoint ToEndPoint(Uri url)
    {
        var address = url.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            _ => IPAddress.Parse(url.Host.Trim('[', ']')),
        };
        return new IPEndPoint(address, url.Port);
    }
}
