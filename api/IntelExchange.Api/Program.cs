using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Features.Callbacks;
using IntelExchange.Api.Features.Cases;
using IntelExchange.Api.Features.Intel;
using IntelExchange.Api.Features.Operator;
using IntelExchange.Api.Features.Partners;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Features.Stats;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Hosting;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.DevPki;

if (MigrationCommand.IsRequested(args))
{
    Environment.ExitCode = await MigrationCommand.RunAsync(args);
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = ExchangeSettings.Read(builder.Configuration);
if (settings.DevPki)
{
    DevPkiGenerator.EnsureCreated(settings.DevPkiPath);
}

builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.ConfigurePartnerAndOpsListeners(settings);
builder.Services.AddExchangeHttp();
builder.Services.AddExchangePersistence(builder.Configuration, settings.DataPath);
builder.Services.AddExchangeSecurity(settings);
builder.Services.AddPartnerAuthentication(settings);
builder.Services.AddExchangeMessaging(builder.Configuration);
builder.Services.AddExchangeHealthChecks();
builder.Services.AddExchangeObservability(builder.Configuration);
builder.Services.AddExchangeOpenApi();
builder.Services.AddUseCases();
builder.Services.AddReports();
builder.Services.AddCases();
builder.Services.AddCallbacks();
builder.Services.AddOperator();
builder.Services.AddSafeguards();
builder.Services.AddTenantRateLimiting();
builder.Services.AddAudit();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseListenerSeparation();
app.UseAuthentication();
app.UseTenantDataScope();
app.UseTenantRateLimiting();
app.UseAuthorization();
app.UseExchangeOpenApi();

app.MapOps();
app.MapPartners();
app.MapReports();
app.MapIntel();
app.MapCases();
app.MapCallbacks();
app.MapOperator();
app.MapSafeguards();
app.MapStats();
app.MapAudit();

app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app, settings));
app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
