using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Infrastructure.OpenApi;

public sealed class OpenApiDocumentTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public OpenApiDocumentTests(SqliteExchange fixture) => _server = fixture.Server;

    /// <summary>
    /// openapi.yaml at the repository root is the partner contract; it must be what the code produces.
    /// To regenerate: INTELX_UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests
    /// </summary>
    [Fact]
    public async Task The_committed_openapi_yaml_is_what_the_code_produces()
    {
        using var client = _server.ClientFor("ifpi");
        var generated = (await client.GetStringAsync("/swagger/v1/swagger.yaml")).ReplaceLineEndings("\n");
        var path = Path.Combine(ExternalProcess.RepositoryRoot(), "openapi.yaml");

        if (Environment.GetEnvironmentVariable("INTELX_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, generated);
        }

        var committed = File.Exists(path) ? (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") : "";
        Assert.True(committed == generated,
            "openapi.yaml differs from what the code produces. Regenerate it: INTELX_UPDATE_OPENAPI=1 dotnet test tests/IntelExchange.Api.Tests --filter OpenApiDocumentTests");
        Assert.Contains("openapi: '3.1", generated, StringComparison.Ordinal);
        Assert.Contains("mutualTLS", generated, StringComparison.Ordinal);
    }

    /// <summary>The contract passes Spectral's OAS and OWASP API Security rulesets with no error (.ci/lint-openapi.sh).</summary>
    [Fact]
    public async Task The_committed_openapi_yaml_passes_Spectral_with_the_OAS_and_OWASP_rulesets()
    {
        var root = ExternalProcess.RepositoryRoot();
        var lint = await ExternalProcess.RunAsync("bash", [Path.Combine(root, ".ci", "lint-openapi.sh")], root, TimeSpan.FromMinutes(3));

        Assert.True(lint.ExitCode == 0, $"Spectral found errors in openapi.yaml (run .ci/lint-openapi.sh):\n{lint.Output}");
        Assert.DoesNotMatch(@":\d+:\d+ error ", lint.Output);
    }
}
