using System.Text.Json.Nodes;
using System.Reflection;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace IntelExchange.Api.Infrastructure.OpenApi;

/// <summary>
/// Length and range limits that follow from a value's format rather than from an annotation: a uuid is 36 characters,
/// an RFC 3339 time at most 40 (longer ones do not parse), an int32 is an int32. Lists of strings take their item limits
/// from <see cref="ItemLengthAttribute"/>.
/// </summary>
internal sealed class FormatLimitsSchemaFilter : ISchemaFilter
{
    public const int MaxTimestampLength = 40;
    public const int MaxBase64Length = 65_536;

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete)
        {
            return;
        }
        ApplyFormatLimits(concrete);
        if (context.MemberInfo?.GetCustomAttribute<ItemLengthAttribute>() is { } items && concrete.Items is OpenApiSchema item)
        {
            item.MinLength = items.MinimumLength;
            item.MaxLength = items.MaximumLength;
        }
    }

    public static void ApplyFormatLimits(OpenApiSchema schema)
    {
        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.String) && schema.MaxLength is null && schema.Enum is not { Count: > 0 })
        {
            schema.MaxLength = schema.Format switch
            {
                "uuid" => 36,
                "date-time" => MaxTimestampLength,
                "date" => 10,
                // base64 of the exchange's own small binary values (ledger entries, RFC 3161 tokens)
                "byte" => MaxBase64Length,
                _ => schema.MaxLength,
            };
            if (schema.Format == "uuid")
            {
                schema.MinLength = 36;
            }
        }
        if (type.HasFlag(JsonSchemaType.Integer) && schema.Minimum is null && schema.Maximum is null)
        {
            (schema.Minimum, schema.Maximum) = schema.Format == "int64"
                ? (long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture), long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : (int.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture), int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
            schema.Format ??= "int32";
        }
    }
}

/// <summary>The query parameters every paged list shares: <c>after</c> (an opaque cursor) and <c>limit</c>.</summary>
internal sealed class PagingParametersFilter : IParameterFilter
{
    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        if (parameter is not OpenApiParameter concrete || concrete.Schema is not OpenApiSchema schema)
        {
            return;
        }
        switch (concrete.Name)
        {
            case "after":
                concrete.Description ??= "Cursor: the `next` value of the previous page. Opaque and tamper-evident.";
                schema.MaxLength = Paging.MaxCursorLength;
                schema.Pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";
                break;
            case "limit":
                concrete.Description ??= $"Page size, 1 to {Paging.MaxLimit} (default {Paging.DefaultLimit}).";
                (schema.Minimum, schema.Maximum) = ("1", Paging.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "status" when schema.Enum is not { Count: > 0 }:
                concrete.Description ??= "Only items in this status (its wire name, e.g. `received`).";
                schema.MaxLength = 32;
                schema.Pattern = "^[a-z_]+$";
                break;
            case "id" or "reporter" or "agency" when concrete.In == ParameterLocation.Path && schema.Format is null:
                concrete.Description ??= "A tenant id.";
                schema.MaxLength = ReportLimits.TenantId;
                schema.Pattern = "^[a-z0-9][a-z0-9-]*$";
                break;
            case "tenant" when schema.Format is null:
                concrete.Description ??= "Only entries about this tenant.";
                schema.MaxLength = ReportLimits.TenantId;
                schema.Pattern = "^[a-z0-9][a-z0-9-]*$";
                break;
            case "expiringWithin":
                concrete.Description ??= "A duration: a number and d (days), h (hours) or m (minutes), e.g. 30d.";
                schema.MaxLength = 8;
                schema.Pattern = "^[0-9]{1,7}[dhm]$";
                break;
            case "from" or "to" when schema.Format is null:
                concrete.Description ??= "An RFC 3339 date-time (e.g. 2026-01-01T00:00:00Z).";
                schema.Format = "date-time";
                schema.MaxLength = FormatLimitsSchemaFilter.MaxTimestampLength;
                break;
            case "groupBy":
                concrete.Description ??= "category, status, agency or month (default month).";
                schema.Enum = [JsonValue.Create("category"), JsonValue.Create("status"), JsonValue.Create("agency"), JsonValue.Create("month")];
                break;
            case "thumbprint":
                concrete.Description ??= "SHA-256 of the certificate's DER, hex (either case).";
                (schema.MinLength, schema.MaxLength) = (64, 64);
                schema.Pattern = "^[0-9A-Fa-f]{64}$";
                break;
            case "kid":
                concrete.Description ??= "A signing key id as the exchange returned it.";
                schema.MaxLength = 64;
                schema.Pattern = "^[A-Za-z0-9_-]+$";
                break;
            default:
                FormatLimitsSchemaFilter.ApplyFormatLimits(schema);
                break;
        }
    }
}

/// <summary>
/// The RFC 9457 problem object as the exchange writes it: a <c>type</c> URI from <see cref="Problems"/>, short texts, an
/// HTTP status. Limits here bound what a client must be ready to read; extension members stay open.
/// </summary>
internal sealed class ProblemDetailsSchemaFilter : ISchemaFilter
{
    public const int MaxTitleLength = 200;
    public const int MaxDetailLength = 4000;

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(Microsoft.AspNetCore.Mvc.ProblemDetails) || schema is not OpenApiSchema concrete || concrete.Properties is null)
        {
            return;
        }
        concrete.Description = "An RFC 9457 problem. `type` names the cause (stable); `errors` lists invalid fields for validation-failed.";
        Limit(concrete, "type", 200, "uri");
        Limit(concrete, "title", MaxTitleLength, null);
        Limit(concrete, "detail", MaxDetailLength, null);
        Limit(concrete, "instance", ReportLimits.Url, null);
        if (concrete.Properties.TryGetValue("status", out var status) && status is OpenApiSchema statusSchema)
        {
            (statusSchema.Minimum, statusSchema.Maximum) = ("400", "599");
        }
    }

    private static void Limit(OpenApiSchema schema, string property, int maxLength, string? format)
    {
        if (schema.Properties!.TryGetValue(property, out var member) && member is OpenApiSchema concrete)
        {
            concrete.MaxLength = maxLength;
            concrete.Format = format ?? concrete.Format;
        }
    }
}
