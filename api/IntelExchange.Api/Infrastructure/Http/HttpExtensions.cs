using IntelExchange.Api.Security.Certificates;
using Microsoft.AspNetCore.Http.Json;

namespace IntelExchange.Api.Infrastructure.Http;

internal static class HttpExtensions
{
    /// <summary>Problem details for every refusal (RFC 9457), strict JSON, and the shared request-handling pieces.</summary>
    public static IServiceCollection AddExchangeHttp(this IServiceCollection services)
    {
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
            {
                var kind = problem.Status switch
                {
                    401 => Problems.Unauthenticated,
                    403 => context.HttpContext.User.HasClaim(c => c.Type == ExchangeClaims.Tenant) ? Problems.Forbidden : Problems.Unauthenticated,
                    404 => Problems.NotFound,
                    405 => Problems.MethodNotAllowed,
                    413 => Problems.PayloadTooLarge,
                    415 => Problems.UnsupportedMediaType,
                    _ => null,
                };
                if (kind is not null)
                {
                    problem.Type = kind.Type;
                    problem.Title = kind.Title;
                }
            }
            problem.Extensions.Remove("traceId");
            problem.Instance ??= context.HttpContext.Request.Path;
        });
        services.Configure<JsonOptions>(options => ExchangeJson.Configure(options.SerializerOptions));
        services.AddSingleton<IdempotencyGuard>();
        services.AddSingleton<Paging>();
        return services;
    }
}
