using System.Diagnostics.Metrics;
using StatusPlatform.Probe.Checks;

namespace StatusPlatform.Probe.Membership;

/// <summary>Whether this probe's own network is failing; results built while it is carry the flag.</summary>
public interface IConnectivityGuard
{
    bool ConnectivityLost { get; }
}

/// <summary>
/// Checks <see cref="ProbeOptions.CanaryUrl"/> every <see cref="ProbeOptions.CanaryInterval"/>: while the latest check
/// failed, <see cref="ConnectivityLost"/> is true. One failure is enough, because a flagged result is merely set aside
/// by the fold while an unflagged one from a probe whose network is down opens a false incident; the first success
/// clears it. Without a canary URL the guard is off and never reports a loss. It sits with membership because it
/// answers the same question about this probe: can the others trust what it reports?
/// </summary>
public sealed class ConnectivityGuard : BackgroundService, IConnectivityGuard
{
    /// <summary>The named client for the canary: a fresh connection per check and no retries, like the probe's own.</summary>
    public const string ClientName = "canary";

    private readonly IHttpClientFactory _clients;
    private readonly ProbeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConnectivityGuard> _logger;
    private volatile bool _lost;

    public ConnectivityGuard(IHttpClientFactory clients, ProbeOptions options, TimeProvider time, IMeterFactory meters, ILogger<ConnectivityGuard> logger)
    {
        (_clients, _options, _time, _logger) = (clients, options, time, logger);
        meters.Create(ProbeMetrics.MeterName).CreateObservableGauge("statusplatform.probe.connectivity.lost",
            () => _lost ? 1 : 0, description: "1 while the probe's canary check fails and its results are flagged");
    }

    public bool ConnectivityLost => _lost;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.CanaryUrl is not { } canary)
            return;
        _logger.LogInformation("Connectivity guard checks {CanaryUrl} every {Interval} s", canary, _options.CanaryInterval.TotalSeconds);
        try
        {
            using var ticks = new PeriodicTimer(_options.CanaryInterval, _time);
            do
            {
                var problem = await CheckAsync(canary, stoppingToken);
                if (problem is not null && !_lost)
                    _logger.LogWarning("Connectivity lost: the canary {CanaryUrl} failed ({Problem}); results are flagged until it answers", canary, problem);
                else if (problem is null && _lost)
                    _logger.LogInformation("Connectivity restored: the canary {CanaryUrl} answers again", canary);
                _lost = problem is not null;
            }
            while (await ticks.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Null when the canary answered; otherwise why not.</summary>
    private async Task<string?> CheckAsync(Uri canary, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(_options.CanaryInterval, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            using var response = await _clients.CreateClient(ClientName).GetAsync(canary, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            // Any answer proves the network, except a 5xx: a proxy that cannot reach out answers 502 or 504 itself.
            return (int)response.StatusCode >= 500 ? $"HTTP {(int)response.StatusCode}" : null;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return $"no answer within {_options.CanaryInterval.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}
