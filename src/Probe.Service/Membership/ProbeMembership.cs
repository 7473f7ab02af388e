using System.Diagnostics.Metrics;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;

namespace StatusPlatform.Probe.Membership;

/// <summary>
/// This instance's place among the probes of its region: it waits for the bus, joins after a warm-up, sends a
/// heartbeat every <see cref="ProbeOptions.Heartbeat"/>, hears the others' (<see cref="ProbeMembershipConsumer"/>),
/// and on stop announces its leave and keeps checking until the others take over. The scheduler asks
/// <see cref="Owns"/> at every slot; the rules are in <see cref="MemberTable"/>.
/// </summary>
public sealed class ProbeMembership : BackgroundService
{
    private readonly IBus _bus;
    private readonly IBusControl _busControl;
    private readonly ProbeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeMembership> _logger;
    private readonly Lock _leaveGate = new();
    private readonly TaskCompletionSource<DateTimeOffset> _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Read by the consumer while the heartbeat loop sets it: a reference, so it is never seen half written.
    private volatile Run? _run;
    private bool _publishFailing;
    private int _duplicateReported;
    private Task? _leave;

    public ProbeMembership(IBus bus, IBusControl busControl, ProbeOptions options, TimeProvider time, IMeterFactory meters, ILogger<ProbeMembership> logger)
    {
        (_bus, _busControl, _options, _time, _logger) = (bus, busControl, options, time, logger);
        Table = new MemberTable(options.Region, options.InstanceId);
        meters.Create(ProbeMetrics.MeterName).CreateObservableGauge("statusplatform.probe.members",
            () => Table.MembersFor(_time.GetUtcNow(), _time.GetUtcNow()).Count, "{probe}", "Probes of this region that split its monitors, as this probe sees them");
    }

    public MemberTable Table { get; }

    /// <summary>A membership message older than a member's lifetime is wrong news: the broker drops it rather than deliver it late.</summary>
    public TimeSpan MessageLifetime => _options.MemberLifetime;

    /// <summary>Completes with this instance's ActiveFrom once it has joined; the scheduler plans its first round from it.</summary>
    public Task<DateTimeOffset> Joined => _joined.Task;

    /// <summary>Whether this instance runs the monitor's slot at <paramref name="slot"/>; false before it has joined.</summary>
    public bool Owns(ulong monitorHash, DateTimeOffset slot) => Table.OwnerOf(monitorHash, slot, _time.GetUtcNow()) == _options.InstanceId;

    /// <summary>Whether this instance runs a catch-up check for a slot that passed while it was starting; see <see cref="MemberTable.CatchesUp"/>.</summary>
    public bool CatchesUp(ulong monitorHash, DateTimeOffset missedSlot, DateTimeOffset nextSlot) =>
        Table.CatchesUp(monitorHash, missedSlot, nextSlot, _time.GetUtcNow());

    /// <summary>Takes in another probe's heartbeat; returns this instance's own when the sender is new and should hear it at once.</summary>
    public ProbeHeartbeat? Heard(ProbeHeartbeat heartbeat)
    {
        switch (Table.Heard(heartbeat, _time.GetUtcNow()))
        {
            case MembershipChange.Joined:
                _logger.LogInformation("Probe {InstanceId} joined region {Region}; it checks its share of the monitors from {ActiveFrom:O}",
                    heartbeat.InstanceId, heartbeat.Region, heartbeat.ActiveFrom);
                return OwnHeartbeat();
            case MembershipChange.Restarted:
                _logger.LogInformation("Probe {InstanceId} of region {Region} restarted; it checks its share again from {ActiveFrom:O}",
                    heartbeat.InstanceId, heartbeat.Region, heartbeat.ActiveFrom);
                return OwnHeartbeat();
            case MembershipChange.DuplicateId when Interlocked.Exchange(ref _duplicateReported, 1) == 0:
                _logger.LogError("Another probe in region {Region} runs with this instance id, {InstanceId}: both check the same monitors. "
                    + "Give every probe its own Probe:InstanceId.", heartbeat.Region, heartbeat.InstanceId);
                return null;
            default:
                return null;
        }
    }

    public void Left(ProbeLeaving leaving)
    {
        if (Table.Left(leaving))
            _logger.LogInformation("Probe {InstanceId} is leaving region {Region}; its monitors move to the others from {LeavingAt:O}",
                leaving.InstanceId, leaving.Region, leaving.LeavingAt);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Join once the bus is up with this instance's own queue: a warm-up spent deaf would hear nobody.
            await _busControl.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);
            var startedAt = _time.GetUtcNow();
            // The warm-up: the members answer this instance's first heartbeat with theirs at once (see Heard), and their
            // periodic ones arrive within a heartbeat anyway; so it knows them, and they it, before it counts.
            var activeFrom = startedAt + _options.Heartbeat;
            Table.Activate(startedAt, activeFrom);
            _run = new Run(startedAt, activeFrom);
            _joined.TrySetResult(activeFrom);
            _logger.LogInformation("Probe {InstanceId} joins region {Region}; it checks its share of the monitors from {ActiveFrom:O}",
                _options.InstanceId, _options.Region, activeFrom);

            using var ticks = new PeriodicTimer(_options.Heartbeat, _time);
            do
            {
                var now = _time.GetUtcNow();
                await PublishAsync(OwnHeartbeat()!, stoppingToken);
                foreach (var (instanceId, left) in Table.Sweep(now, _options.MemberLifetime))
                {
                    if (!left)
                        _logger.LogWarning("Probe {InstanceId} of region {Region} sent no heartbeat for {Lifetime} s; its monitors moved to the others",
                            instanceId, _options.Region, _options.MemberLifetime.TotalSeconds);
                }
            }
            while (await ticks.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Runs before the scheduler stops (registered after it). Half a heartbeat of notice is ample for a message on a
    /// broker and short enough for a quick shutdown; the scheduler keeps checking this instance's slots until then.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_run is not { } run)
            return;
        // A host may stop its services twice at once (the test host does): both wait for the one leave, so neither
        // goes on to stop the scheduler early.
        Task leave;
        lock (_leaveGate)
            leave = _leave ??= LeaveAsync(run.StartedAt, cancellationToken);
        await leave;
    }

    private async Task LeaveAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var leavingAt = _time.GetUtcNow() + (_options.Heartbeat / 2);
        Table.Leave(leavingAt);
        await PublishAsync(new ProbeLeaving(_options.Region, _options.InstanceId, startedAt, leavingAt), cancellationToken);
        try
        {
            // A loop, as in the scheduler: a timer can wake a little early, and a slot before LeavingAt is still ours.
            for (var wait = leavingAt - _time.GetUtcNow(); wait > TimeSpan.Zero; wait = leavingAt - _time.GetUtcNow())
                await Task.Delay(wait, _time, cancellationToken);
            _logger.LogInformation("Probe {InstanceId} left region {Region}", _options.InstanceId, _options.Region);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ran out first: the others take over from LeavingAt all the same.
        }
    }

    private ProbeHeartbeat? OwnHeartbeat() => _run is { } run
        ? new ProbeHeartbeat(_options.Region, _options.InstanceId, run.StartedAt, run.ActiveFrom, _time.GetUtcNow(), _options.MemberLifetime)
        : null;

    private async Task PublishAsync<T>(T message, CancellationToken cancellationToken) where T : class
    {
        using var timeout = new CancellationTokenSource(_options.Heartbeat, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _bus.Publish(message, context => context.TimeToLive = MessageLifetime, linked.Token);
            if (_publishFailing)
                _logger.LogInformation("Probe {InstanceId} reaches the broker again", _options.InstanceId);
            _publishFailing = false;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Once per outage: the others will count this probe as gone and take over, which is what should happen.
            if (!_publishFailing)
                _logger.LogWarning("Probe {InstanceId} cannot publish its {Message} ({Reason}); the other probes will take over its monitors",
                    _options.InstanceId, typeof(T).Name, e.Message);
            _publishFailing = true;
        }
    }

    private sealed record Run(DateTimeOffset StartedAt, DateTimeOffset ActiveFrom);
}
