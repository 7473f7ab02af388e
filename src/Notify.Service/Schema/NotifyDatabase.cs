using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Notify.Security;
using StatusPlatform.Notify.Subscribers;

namespace StatusPlatform.Notify.Schema;

/// <summary>
/// Migrates the notify schema, seeds the subscribers from the configuration file, loads the signing key and the ops
/// room, then opens the gate that the consumers and the delivery worker wait at. An invalid file stops start-up; an unreachable database does not: the
/// service stays alive, reports unhealthy and keeps trying, so an orchestrator sees why instead of a crash loop.
/// </summary>
public sealed class NotifyDatabase(
    NpgsqlDataSource dataSource,
    IConfiguration configuration,
    IOptions<NotifyOptions> options,
    SubscriberTokens tokens,
    ILogger<NotifyDatabase> logger)
    : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<ConfiguredSubscriber> _subscribers = [];
    private string _notReadyBecause = "the notify schema is being migrated";

    public Task WhenReadyAsync(CancellationToken ct) => _ready.Task.WaitAsync(ct);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var path = configuration[SubscriberFile.ConfigFileKey];
        // Read before anything runs: a mistake in the file must stop start-up, not leave a partial audience.
        _subscribers = string.IsNullOrWhiteSpace(path) ? [] : SubscriberFile.Load(path);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await NotifySchema.MigrateAsync(dataSource, stoppingToken);
                await SubscriberSeeding.ApplyAsync(dataSource, _subscribers, stoppingToken);
                tokens.UseKey(await NotifySettings.SigningKeyAsync(dataSource, options.Value.SigningKey, stoppingToken));
                await NotifySettings.ApplyOpsRoomAsync(dataSource, options.Value.OpsRoom, stoppingToken);
                logger.LogInformation("Notify schema ready; {Count} subscribers seeded from the configuration file", _subscribers.Count);
                _ready.TrySetResult();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _notReadyBecause = $"migrating or seeding the notify schema failed: {e.Message}";
                logger.LogWarning(e, "Migrating or seeding the notify schema failed; retrying in {Delay}", delay);
            }
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready.Task.IsCompletedSuccessfully
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, _notReadyBecause));
}
