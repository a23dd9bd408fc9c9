using FluentValidation;
using Mediator;

namespace IntelExchange.Api.Infrastructure.Http;

internal static class UseCases
{
    /// <summary>
    /// The source-generated mediator (Scoped, because handlers take the DbContext) with validation as its one pipeline
    /// behavior, and every validator in this assembly.
    /// </summary>
    public static IServiceCollection AddUseCases(this IServiceCollection services)
    {
        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Namespace = "IntelExchange.Api.Mediator";
            options.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
        });
        services.AddValidatorsFromAssemblyContaining<ProblemKind>(ServiceLifetime.Singleton, includeInternalTypes: true);
        return services;
    }
}
