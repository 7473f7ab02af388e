using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.OpenApi;
using StatusPlatform.StatusApi.AdminApi.Incidents;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Pages;

namespace StatusPlatform.StatusApi.AdminApi;

public static class AdminApiExtensions
{
    /// <summary>Every registration of the admin v1 API: options, key store and authentication, roles, rate limit, OpenAPI.</summary>
    public static IHostApplicationBuilder AddAdminApi(this IHostApplicationBuilder builder)
    {
        var options = AdminApiOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton<AdminReadModel>();
        builder.Services.AddSingleton<PostmortemDrafts>();
        builder.Services.AddSingleton<IncidentServiceClient>();
        builder.Services.AddHostedService<ApiSchema>();

        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AdminPolicies.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, Roles(ApiRole.Admin, ApiRole.Responder, ApiRole.Viewer))
            .AddPolicy(AdminPolicies.ManageIncidents, Roles(ApiRole.Admin, ApiRole.Responder))
            .AddPolicy(AdminPolicies.ManageEverything, Roles(ApiRole.Admin));

        builder.Services.AddRateLimiter(limiter =>
        {
            // One budget per key, over a rolling minute (Statuspage measures a rolling 60 s too). Requests without a valid key
            // never get here: authorization answered them already.
            limiter.AddPolicy(AdminApi.RateLimitPolicy, context => RateLimitPartition.GetSlidingWindowLimiter(
                context.User.FindFirstValue(AdminPolicies.KeyHashClaim) ?? "", _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = options.RequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (rejected, ct) =>
            {
                // A sliding window frees permits segment by segment: ten seconds at most until the next one.
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(10);
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    $"This key may make {options.RequestsPerMinute} requests a minute (AdminApi:RequestsPerMinute); retry after the Retry-After seconds.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", type: AdminProblems.Type("rate-limited"))
                    .ExecuteAsync(rejected.HttpContext);
            };
        });

        // snake_case answers, as on Statuspage's wire; the OpenAPI document reads the same options, so it shows the same names.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "StatusPlatform API";
            document.Info.Description = "Public Statuspage v2 API (no key) and the admin v1 API (Authorization: Bearer <key> or OAuth <key>).";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[AdminPolicies.Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (POST /api/v1/keys). Statuspage's form 'Authorization: OAuth <key>' works too.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AdminPolicies.Scheme, document)] = [] });
            return Task.CompletedTask;
        }));
        return builder;
    }

    private static Action<Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder> Roles(params string[] roles) =>
        policy => policy.AddAuthenticationSchemes(AdminPolicies.Scheme).RequireAuthenticatedUser().RequireRole(roles);
}
