using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace StatusPlatform.ServiceDefaults;

/// <summary>What every service gets, close to the Aspire ServiceDefaults template: telemetry, health, resilience, errors.</summary>
public static class Extensions
{
    private const string LiveTag = "live";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilience());
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // A body minimal APIs cannot read throws BadHttpRequestException in Development; it is the client's 400, not our 500.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        // Orchestrators poll these every few seconds; tracing them would drown the real traffic.
        app.Use((context, next) =>
        {
            if (IsHealthProbe(context.Request.Path))
                Telemetry.Unrecord(System.Diagnostics.Activity.Current);
            return next(context);
        });
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/alive", StringComparison.OrdinalIgnoreCase);
}
