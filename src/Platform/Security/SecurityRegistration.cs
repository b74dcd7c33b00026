using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Persistence;

namespace Pipeline.Platform.Security;

/// <summary>
/// Authentication, authorization, browser safety, rate limits and problem answers for every host, the same in a
/// service's own process and in `pipeline up`. Call <see cref="AddPipelineSecurity"/> after the listen addresses
/// are set and <see cref="UsePipelineSecurity"/> before mapping routes.
/// </summary>
public static partial class SecurityRegistration
{
    /// <summary>The scheme every request is authenticated with; it forwards to the one that fits the request.</summary>
    public const string Scheme = "Pipeline";

    /// <summary>The dashboard's session cookie scheme.</summary>
    public const string SessionScheme = "Session";

    public const string SessionCookie = "pipeline.session";

    /// <summary>Rate-limiter policy names.</summary>
    public const string SubmitLimit = "submit";
    public const string PredictLimit = "predict";
    public const string LoginLimit = "login";

    public static WebApplicationBuilder AddPipelineSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(SecurityOptions.Section);
        var options = section.Get<SecurityOptions>() ?? new SecurityOptions();
        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        var loopbackOnly = BindAddresses.AreLoopbackOnly(urls);
        CheckStartupSettings(options, loopbackOnly, urls);

        services.AddOptions<SecurityOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddPipelineDbContext<SecurityDbContext, PostgresSecurityDbContext, SqliteSecurityDbContext>(builder.Configuration);
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddScoped<SecurityDbContext>(sp => sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<SecurityDbContext>>().CreateDbContext());
        services.AddDataProtection().SetApplicationName("pipeline").PersistKeysToDbContext<SecurityDbContext>();
        services.AddHostedService<SecurityStartupNotice>();

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddHostFiltering(o =>
        {
            var configured = builder.Configuration["AllowedHosts"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            o.AllowedHosts = configured is { Length: > 0 } ? configured : loopbackOnly ? [.. BindAddresses.LoopbackHostNames] : ["*"];
        });
        services.AddAntiforgery(o =>
        {
            o.HeaderName = SessionAntiforgery.HeaderName;
            o.Cookie.Name = "pipeline.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });

        AddAuthentication(services, options);
        services.AddAuthorization(o =>
        {
            foreach (var (policy, roles) in PipelinePolicies.Roles)
            {
                o.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
            }

            // A route that names no policy is not open by accident.
            o.FallbackPolicy = o.GetPolicy(PipelinePolicies.Read);
        });
        AddRateLimits(services, options);
        return builder;
    }

    public static WebApplication UsePipelineSecurity(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHostFiltering();
        app.Use(BrowserSafetyMiddleware.InvokeAsync);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(SessionAntiforgery.InvokeAsync);
        app.Use(DeclaredContentTypes.InvokeAsync);
        app.UseRateLimiter();
        return app;
    }

    private static void CheckStartupSettings(SecurityOptions options, bool loopbackOnly, string? urls)
    {
        if (options.Authentication == AuthenticationMode.None && !loopbackOnly)
        {
            throw new StartupException(
                $"this host listens beyond loopback ({urls}) with authentication off; set Pipeline:Security:Authentication=ApiKeys " +
                "(and Pipeline:Security:AdminToken from a secret) or listen on 127.0.0.1 only.");
        }

        if (options.AdminToken is { } token && token.Length < SecurityOptions.MinimumAdminTokenLength)
        {
            throw new StartupException($"Pipeline:Security:AdminToken is shorter than {SecurityOptions.MinimumAdminTokenLength} characters; use a long random value (e.g. `openssl rand -base64 32`).");
        }
    }

    private static void AddAuthentication(IServiceCollection services, SecurityOptions options)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, dashboard session or local user", o => o.ForwardDefaultSelector = context =>
                options.Authentication == AuthenticationMode.None ? LocalUserAuthenticationHandler.SchemeName
                : ApiKeyAuthenticationHandler.TokenOf(context.Request) is not null ? ApiKeyAuthenticationHandler.SchemeName
                : context.Request.Cookies.ContainsKey(SessionCookie) || IsDashboardPage(context.Request) ? SessionScheme
                : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, LocalUserAuthenticationHandler>(LocalUserAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(SessionScheme, o =>
            {
                o.Cookie.Name = SessionCookie;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionDuration;
                o.SlidingExpiration = true;
                o.LoginPath = "/ui/login";
                o.AccessDeniedPath = "/ui/login";
                o.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = async context =>
                {
                    // A revoked key ends the sessions opened with it.
                    if (context.Principal is { } user && PipelineClaims.KeyIdOf(user) is { } keyId
                        && !await context.HttpContext.RequestServices.GetRequiredService<ApiKeyStore>().IsActiveAsync(keyId, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(SessionScheme);
                    }
                };
            });
    }

    // The dashboard's pages send people to the login page; the API answers with a status.
    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsDashboardPage(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }

    private static bool IsDashboardPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && (request.Path.StartsWithSegments("/ui") || request.Path == "/") && !request.Path.StartsWithSegments("/ui/session");

    private static void AddRateLimits(IServiceCollection services, SecurityOptions options) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: "this caller is over its request rate for this route; retry after the time in Retry-After (limits: Pipeline:Security in docs/SECURITY.md).").ExecuteAsync(context.HttpContext);
            };
            o.AddPolicy(SubmitLimit, context => options.SubmitsPerMinute <= 0
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : RateLimitPartition.GetFixedWindowLimiter(CallerOf(context), _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SubmitsPerMinute, Window = TimeSpan.FromMinutes(1) }));
            o.AddPolicy(PredictLimit, context => options.PredictionsPerSecond <= 0
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : RateLimitPartition.GetTokenBucketLimiter(CallerOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.PredictionsPerSecond,
                    TokensPerPeriod = options.PredictionsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                }));
            o.AddPolicy(LoginLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, options.LoginsPerMinute), Window = TimeSpan.FromMinutes(1) }));
        });

    // Per key when there is one, per address otherwise.
    private static string CallerOf(HttpContext context) =>
        PipelineClaims.KeyIdOf(context.User) is { } key ? key.ToString("N")
        : context.User.Identity?.Name is { Length: > 0 } name && name != PipelineClaims.LocalUser ? name
        : context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Says at start-up how callers are checked, so an open host never goes unnoticed.</summary>
    private sealed partial class SecurityStartupNotice(Microsoft.Extensions.Options.IOptions<SecurityOptions> options, ILogger<SecurityStartupNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var o = options.Value;
            if (o.Authentication == AuthenticationMode.None)
            {
                LogOpen(logger);
            }
            else if (o.AdminToken is null)
            {
                LogNoAdminToken(logger);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication is off (Pipeline:Security:Authentication=None): anyone on this machine can submit, cancel and roll back. Loopback only; set ApiKeys for anything else (docs/SECURITY.md).")]
        private static partial void LogOpen(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "API keys are on but Pipeline:Security:AdminToken is not set: only keys already in the database get in.")]
        private static partial void LogNoAdminToken(ILogger logger);
    }
}
