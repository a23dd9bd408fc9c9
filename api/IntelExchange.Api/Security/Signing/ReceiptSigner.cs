using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Hosting;

namespace IntelExchange.Api.Security.Signing;

/// <summary>
/// The exchange's own ES256 key: signs receipts (and, later, audit checkpoints). Its public key, with any earlier keys
/// still needed to verify old receipts, is published as the JWKS.
/// </summary>
internal sealed class ExchangeSigningKey : IDisposable
{
    private readonly ECDsa _key;

    public ExchangeSigningKey(ExchangeSettings settings)
    {
        _key = ECDsa.Create();
        if (!File.Exists(settings.ReceiptKeyPath))
        {
            if (!settings.DevPki)
            {
                throw new InvalidOperationException($"The receipt key file '{settings.ReceiptKeyPath}' does not exist.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(settings.ReceiptKeyPath)!);
            using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            File.WriteAllText(settings.ReceiptKeyPath, generated.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(settings.ReceiptKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        _key.ImportFromPem(File.ReadAllText(settings.ReceiptKeyPath));
        var publicKey = _key.ExportParameters(false);
        Kid = EcKeys.Thumbprint(publicKey);
        var keys = new List<Dictionary<string, string>> { EcKeys.ToJwk(publicKey, Kid) };
        foreach (var path in settings.PreviousReceiptKeyPaths)
        {
            var previous = EcKeys.ImportPublicKeyPem(File.ReadAllText(path));
            keys.Add(EcKeys.ToJwk(previous, EcKeys.Thumbprint(previous)));
        }
        Jwks = JsonSerializer.SerializeToUtf8Bytes(new { keys });
        CursorKey = SHA256.HashData([.. "intelx-cursor-v1"u8, .. _key.ExportParameters(true).D!]);
    }

    public string Kid { get; }

    /// <summary>The JWKS document, serialised once.</summary>
    public byte[] Jwks { get; }

    /// <summary>A secret derived from the private key, shared by every instance, for MACs on paging cursors.</summary>
    public byte[] CursorKey { get; }

    /// <summary>Signs <paramref name="payload"/> as a compact JWS with an ES256 protected header.</summary>
    public string SignCompact<T>(T payload, string type)
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid = Kid, typ = type }));
        var body = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload, JsonSerializerOptions.Web));
        var signingInput = System.Text.Encoding.ASCII.GetBytes(header + "." + body);
        byte[] signature;
        lock (_key)
        {
            signature = _key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        return header + "." + body + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}
