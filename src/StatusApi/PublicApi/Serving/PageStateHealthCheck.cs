using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StatusPlatform.StatusApi.PublicApi.Serving;

/// <summary>
/// Degraded, not Unhealthy, while the page is served stale: the replica still answers every public request, and an
/// orchestrator that took it out of service for a database outage would take the status page down with it. Unhealthy
/// only while there is nothing to serve (no read has worked since start).
/// </summary>
public sealed class PageStateHealthCheck(PageCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.Current switch
        {
            null => HealthCheckResult.Unhealthy("The page state has not been read yet; the public endpoints answer 503"),
            { FailingSince: { } since } page => HealthCheckResult.Degraded(
                $"Serving the page state read at {page.RefreshedAtText}, stale: the read model is unreadable since {since:o}"),
            var page => HealthCheckResult.Healthy($"Page state read at {page.RefreshedAtText}"),
        });
}
