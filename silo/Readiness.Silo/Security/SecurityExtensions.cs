using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Readiness.Contracts;
using Readiness.Grains.Structure;

namespace Readiness.Silo.Security;

/// <summary>
/// Every route needs a bearer token unless it is marked anonymous (health, the OpenAPI document,
/// the dashboard's static files); each kind of work needs its role; each area its scope.
/// </summary>
public static partial class SecurityExtensions
{
    public static WebApplicationBuilder AddReadinessSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var key = SigningKey(auth, builder.Environment);
        services.AddSingleton(provider => new TokenIssuer(key, auth, provider.GetRequiredService<TimeProvider>()));
        var echelons = new EchelonTokens(auth);
        services.AddSingleton(echelons);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuers = [auth.Issuer, .. echelons.Issuers],
                ValidAudience = auth.Audience,
                // Each issuer's tokens by its own key alone: an echelon's key never signs for this silo, nor this silo's for an echelon.
                IssuerSigningKeyResolver = (_, token, _, _) => token.Issuer == auth.Issuer ? [key] : echelons.KeyOf(token.Issuer) is { } theirs ? [theirs] : [],
                NameClaimType = TokenIssuer.SubjectClaim,
                RoleClaimType = TokenIssuer.RoleClaim,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = async context =>
                {
                    var id = context.Principal?.FindFirst(TokenIssuer.TokenIdClaim)?.Value;
                    if (string.IsNullOrEmpty(id))
                    {
                        context.Fail("The token carries no id (jti); mint a new one.");
                    }
                    else if (context.HttpContext.RequestServices.GetRequiredService<TokenRevocations>().IsRevoked(id))
                    {
                        context.Fail("The token was revoked.");
                    }
                    else if (echelons.Trusts(context.SecurityToken.Issuer))
                    {
                        var services = context.HttpContext.RequestServices;
                        var tree = await services.GetRequiredService<ChainOfCommandCache>().GetAsync(context.HttpContext.RequestAborted);
                        var (granted, refusal) = echelons.Grant(context.Principal!, context.SecurityToken.Issuer, tree, services.GetRequiredService<TimeProvider>().GetUtcNow());
                        if (granted is null)
                        {
                            context.Fail(refusal!);
                        }
                        else
                        {
                            context.Principal = granted;
                        }
                    }
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A bearer token is required.",
                        detail: context.AuthenticateFailure is { } failure
                            ? $"The token was refused: {failure.Message.Split('.')[0]}."
                            : "Send 'Authorization: Bearer <token>'. On a development silo the token is printed at start-up and kept in .local/dev-token.")
                        .ExecuteAsync(context.HttpContext);
                },
            };
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.View, policy => policy.RequireRole(Access.Viewer, Access.Reporter, Access.Auditor, Access.Admin))
            .AddPolicy(Policies.Report, policy => policy.RequireRole(Access.Reporter))
            .AddPolicy(Policies.Audit, policy => policy.RequireRole(Access.Auditor))
            .AddPolicy(Policies.Administer, policy => policy.RequireRole(Access.Admin));

        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
                    ? RateLimitPartition.GetTokenBucketLimiter(Caller(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(string.Empty));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                    detail: $"At most {limits.PermitsPerSecond} requests a second (bursts of {limits.Burst}) per caller; retry after {retryAfter} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        // Outside Development every listener off loopback is HTTPS (ProductionProfile); a browser told so once
        // never tries plain HTTP again. Loopback is not exempt: behind a proxy on the same host it is the proxy's name that counts.
        services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.ExcludedHosts.Clear();
        });
        services.AddSingleton<TokenRevocations>();
        services.AddHostedService(provider => provider.GetRequiredService<TokenRevocations>());
        services.AddHostedService<DevelopmentToken>();
        return builder;
    }

    public static WebApplication UseReadinessSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseResourceScopes();
        return app;
    }

    /// <summary>The token's subject when it has one, else the caller's address: a forged token still counts against its sender.</summary>
    private static string Caller(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true ? "sub:" + http.User.Name() : "ip:" + (http.Connection.RemoteIpAddress ?? IPAddress.None);

    private static SymmetricSecurityKey SigningKey(AuthOptions auth, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            return TokenIssuer.KeyFrom(auth.SigningKey);
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{AuthOptions.Section}:SigningKey is not configured (environment: Readiness__Auth__SigningKey, at least 32 bytes). Only a Development silo makes its own key.");
        }
        return TokenIssuer.KeyFrom(PrivateFile.ReadOrCreate(auth.DevelopmentKeyFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))).Trim());
    }

    /// <summary>
    /// On a Development silo that listens on loopback only, prints a token that may do everything,
    /// and keeps it beside the key, so the dashboard and the CLI work out of the box.
    /// </summary>
    private sealed partial class DevelopmentToken(
        IHostEnvironment environment, TokenIssuer issuer, IOptions<AuthOptions> options, IConfiguration configuration, ILogger<DevelopmentToken> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var urls = configuration["urls"] ?? configuration["Urls"] ?? "http://127.0.0.1:5080";
            if (!environment.IsDevelopment() || !string.IsNullOrWhiteSpace(options.Value.SigningKey) || !OnLoopback(urls))
            {
                return;
            }
            var token = issuer.Mint(new TokenRequest("developer", [Access.Everywhere], Access.Roles, Hours: options.Value.MaxTokenHours));
            var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Value.DevelopmentKeyFile))!, "dev-token");
            await PrivateFile.WriteAsync(file, token.Token + "\n", cancellationToken);
            var first = urls.Split(';')[0].TrimEnd('/');
            LogToken(first, token.Token, file);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static bool OnLoopback(string urls) => urls.Split(';').All(url =>
            Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))));

        [LoggerMessage(Level = LogLevel.Warning, Message = "Development token (every scope and role; kept in {File}). Dashboard: {Url}/#token={Token}")]
        private partial void LogToken(string url, string token, string file);
    }
}
