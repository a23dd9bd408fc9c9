using FluentValidation;
using IntelExchange.Api.Infrastructure.Observability;
using Mediator;

namespace IntelExchange.Api.Infrastructure.Http;

internal static class UseCases
{
    /// <summary>
    /// The source-generated mediator (Scoped, because handlers take the DbContext) with a span per use case and then
    /// validation as its pipeline behaviors, and every validator in this assembly.
    /// </summary>
    public static IServiceCollection AddUseCases(this IServiceCollection services)
    {
        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Namespace = "IntelExchange.Api.Mediator";
            options.PipelineBehaviors = [typeof(UseCaseTracing<,>), typeof(ValidationBehavior<,>)];
        });
        services.AddValidatorsFromAssemblyContaining<ProblemKind>(ServiceLifetime.Singleton, includeInternalTypes: true);
        return services;
    }
}
