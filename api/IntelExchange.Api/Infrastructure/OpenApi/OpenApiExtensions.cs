using Microsoft.OpenApi;

namespace IntelExchange.Api.Infrastructure.OpenApi;

internal static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddExchangeOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "IntelExchange API",
                Version = "1.0.0",
                Description = "Secure exchange of anti-piracy intelligence between rights holders and the agencies that act on it. "
                              + "Every call is authenticated by a client certificate (mTLS); reports are signed with a detached JWS.",
            });
            options.AddSecurityDefinition("mtls", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.MutualTLS,
                Description = "A client certificate issued by a partner CA and registered to the tenant.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("mtls", document)] = [] });
            options.SupportNonNullableReferenceTypes();
            options.OperationFilter<ProblemResponsesFilter>();
            options.SchemaFilter<FormatLimitsSchemaFilter>();
            options.SchemaFilter<ProblemDetailsSchemaFilter>();
            options.ParameterFilter<PagingParametersFilter>();
        });
        return services;
    }

    public static WebApplication UseExchangeOpenApi(this WebApplication app)
    {
        app.UseSwagger(options => options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1);
        app.UseSwaggerUI(options => options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "IntelExchange v1"));
        return app;
    }
}
