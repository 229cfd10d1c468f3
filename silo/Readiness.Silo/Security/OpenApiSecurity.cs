using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Readiness.Silo.Security;

/// <summary>
/// Declares the bearer scheme in the OpenAPI document and, on every operation that needs a token,
/// the requirement, the role and the resources it is scoped to, so that a generated client knows to
/// send a token and an integrator knows which one.
/// </summary>
internal static class OpenApiSecurity
{
    public const string Scheme = "bearer";

    public static OpenApiOptions AddBearerSecurity(this OpenApiOptions options) => options
        .AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = Scheme,
                BearerFormat = "JWT",
                Description = "A token minted by POST /api/admin/tokens (a development silo prints one at start-up). "
                    + "Its 'scope' claims name the units it reaches, its 'role' claims the kinds of work.",
            };
            return Task.CompletedTask;
        })
        .AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [];
                return Task.CompletedTask;
            }
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] }];
            var roles = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
            var scope = metadata.OfType<ResourceScope>().LastOrDefault();
            operation.Description = string.Join("\n\n", new[]
            {
                operation.Description,
                $"Needs a bearer token{(roles.Count > 0 ? $" for {string.Join(", ", roles)} work" : string.Empty)}, scoped to {scope?.Describes ?? "nothing: it is refused"}.",
            }.Where(s => !string.IsNullOrEmpty(s)));
            return Task.CompletedTask;
        });
}
