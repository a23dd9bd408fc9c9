using System.Text.Json.Nodes;
using IntelExchange.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace IntelExchange.Api.Infrastructure.OpenApi;

/// <summary>
/// Documents every refusal as the problem <c>type</c>s it can carry (in the response description and as one example
/// each), the request headers an endpoint reads, and the headers its answers carry.
/// </summary>
internal sealed class ProblemResponsesFilter : IOperationFilter
{
    /// <summary>What any authenticated partner call can meet, whatever the endpoint.</summary>
    private static readonly ProblemKind[] Common =
        [Problems.Unauthenticated, Problems.Forbidden, Problems.RateLimited, Problems.InternalError, Problems.ServiceUnavailable];

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var kinds = metadata.OfType<ProblemKindsMetadata>().SelectMany(m => m.Kinds)
            .Concat(anonymous ? [Problems.InternalError] : Common)
            .DistinctBy(k => k.Slug)
            .ToList();

        operation.Responses ??= [];
        foreach (var group in kinds.GroupBy(k => k.Status).OrderBy(g => g.Key))
        {
            var response = Response(operation, group.Key);
            response.Description = $"{ReasonPhrases.GetReasonPhrase(group.Key)}. Problem types:\n"
                                   + string.Join("\n", group.Select(k => $"- `{k.Type}`: {k.Title}"));
            response.Content ??= new Dictionary<string, IOpenApiMediaType>();
            if (!response.Content.TryGetValue("application/problem+json", out var existing) || existing is not OpenApiMediaType media)
            {
                media = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository) };
                response.Content["application/problem+json"] = media;
            }
            media.Examples ??= new Dictionary<string, IOpenApiExample>();
            foreach (var kind in group)
            {
                media.Examples[kind.Slug] = new OpenApiExample
                {
                    Summary = kind.Title,
                    Value = new JsonObject
                    {
                        ["type"] = kind.Type,
                        ["title"] = kind.Title,
                        ["status"] = kind.Status,
                        ["instance"] = "/" + context.ApiDescription.RelativePath?.TrimStart('/'),
                    },
                };
            }
            if (group.Key is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = "86400" },
                };
            }
        }

        foreach (var header in metadata.OfType<RequestHeaderMetadata>().DistinctBy(h => h.Name))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Required = header.Required,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = header.MaxLength },
                Example = header.Example is null ? null : JsonValue.Create(header.Example),
            });
        }

        if (!anonymous)
        {
            AddRateLimitHeaders(operation);
        }
        BoundBinaryBodies(operation);

        foreach (var header in metadata.OfType<ResponseHeaderMetadata>())
        {
            var response = Response(operation, header.Status);
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[header.Name] = new OpenApiHeader
            {
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 16 },
            };
        }
    }

    /// <summary>Every answer to an identified tenant tells it where its token bucket stands (see <see cref="TenantBuckets"/>).</summary>
    private static void AddRateLimitHeaders(OpenApiOperation operation)
    {
        (string Name, string Description)[] headers =
        [
            (TenantBuckets.LimitHeader, "Requests the caller's bucket holds when full. Sent on every answer to an identified tenant."),
            (TenantBuckets.RemainingHeader, "Requests the caller may still make now."),
            (TenantBuckets.ResetHeader, "Seconds until the bucket next refills."),
        ];
        foreach (var (key, value) in operation.Responses!)
        {
            if (value is not OpenApiResponse response || key.Length != 3 || key[0] is not ('2' or '4'))
            {
                continue;
            }
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            foreach (var (name, description) in headers)
            {
                response.Headers[name] = new OpenApiHeader
                {
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = "1000000" },
                };
            }
        }
    }

    /// <summary>A file answer (the evidence bundle) is binary and bounded: a report body is at most 1 MiB plus small files.</summary>
    private static void BoundBinaryBodies(OpenApiOperation operation)
    {
        var media = operation.Responses!.Values.OfType<OpenApiResponse>().SelectMany(r => r.Content ?? new Dictionary<string, IOpenApiMediaType>())
            .Where(c => !c.Key.Contains("json", StringComparison.Ordinal)).Select(c => c.Value).OfType<OpenApiMediaType>();
        foreach (var content in media)
        {
            if (content.Schema is OpenApiSchema { MaxLength: null } schema && (schema.Type ?? 0).HasFlag(JsonSchemaType.String))
            {
                schema.Format = "binary";
                schema.MaxLength = 8 * 1024 * 1024;
            }
        }
    }

    private static OpenApiResponse Response(OpenApiOperation operation, int status)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
        {
            return response;
        }
        response = new OpenApiResponse { Description = ReasonPhrases.GetReasonPhrase(status) };
        operation.Responses[key] = response;
        return response;
    }
}
