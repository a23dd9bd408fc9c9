namespace IntelExchange.Api.Infrastructure.Hosting;

internal static class StartupBanner
{
    /// <summary>Tells a newcomer, once the listeners are open, how to call the exchange with the dev certificates.</summary>
    public static void Print(WebApplication app, ExchangeSettings settings)
    {
        if (!settings.DevPki)
        {
            return;
        }
        var pki = Path.GetRelativePath(Environment.CurrentDirectory, settings.DevPkiPath);
        var partner = settings.PartnerListener.GetLeftPart(UriPartial.Authority);
        app.Logger.LogInformation(
            """
            IntelExchange (embedded default) is ready.
              partner API (mTLS): {Partner}
              ops (health):       {Ops}
              dev PKI:            {Pki}
            Try it:
              curl --cacert {Pki}/ca.crt --cert {Pki}/ifpi/client.crt --key {Pki}/ifpi/client.key {Partner}/v1/partners/me
            """,
            partner, settings.OpsListener.GetLeftPart(UriPartial.Authority), pki, pki, pki, pki, partner);
    }
}
