namespace StatusPlatform.Probe;

/// <summary>Settings of one probe instance, from the configuration section <c>Probe</c>.</summary>
public sealed class ProbeOptions
{
    public const string Section = "Probe";

    /// <summary>Where this probe runs; Incident.Service folds results per region, and probes of one region split the monitors.</summary>
    public string Region { get; set; } = "local";

    /// <summary>Names this probe in results, in its own queues and in the work split; must be unique among running probes.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Safety net: ask for the catalog this often even when no change event arrived.</summary>
    public TimeSpan CatalogRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for Incident.Service to answer one catalog request.</summary>
    public TimeSpan CatalogRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First pause after an unanswered catalog request; it doubles up to <see cref="CatalogRetryMaxDelay"/>.</summary>
    public TimeSpan CatalogRetryMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan CatalogRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>No monitor is checked more often than this (whole seconds); a shorter interval in the catalog is raised to it.</summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often this probe tells the others of its region it is alive; unset, a fifth of <see cref="MinimumInterval"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>After this many heartbeat intervals without one, the others count this probe as dead and take over its monitors.</summary>
    public int MissedHeartbeats { get; set; } = 3;

    /// <summary>A URL the probe checks to tell its own network failing from its targets failing; unset, the guard is off.</summary>
    public Uri? CanaryUrl { get; set; }

    /// <summary>How often the canary is checked; a check that has no answer within this time counts as failed.</summary>
    public TimeSpan CanaryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The heartbeat interval in effect: the setting, or a fifth of the minimum interval.</summary>
    public TimeSpan Heartbeat => HeartbeatInterval ?? MinimumInterval / 5;

    /// <summary>How long the others wait after this probe's last heartbeat before they take over its monitors.</summary>
    public TimeSpan MemberLifetime => Heartbeat * MissedHeartbeats;

    /// <summary>The smallest interval a monitor runs at, in the whole seconds monitor definitions use.</summary>
    public int MinimumIntervalSeconds => (int)Math.Ceiling(MinimumInterval.TotalSeconds);

    /// <summary>Reads and checks the section; a bad value stops start-up with a message naming the key.</summary>
    public static ProbeOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<ProbeOptions>() ?? new ProbeOptions();
        Require(!string.IsNullOrWhiteSpace(options.Region), nameof(Region), "must not be empty");
        Require(!string.IsNullOrWhiteSpace(options.InstanceId), nameof(InstanceId), "must not be empty");
        Require(options.CatalogRefreshInterval > TimeSpan.Zero, nameof(CatalogRefreshInterval), "must be positive");
        Require(options.CatalogRequestTimeout > TimeSpan.Zero, nameof(CatalogRequestTimeout), "must be positive");
        Require(options.CatalogRetryMinDelay > TimeSpan.Zero, nameof(CatalogRetryMinDelay), "must be positive");
        Require(options.CatalogRetryMaxDelay >= options.CatalogRetryMinDelay, nameof(CatalogRetryMaxDelay), "must not be shorter than CatalogRetryMinDelay");
        Require(options.MinimumInterval >= TimeSpan.FromSeconds(1), nameof(MinimumInterval), "must be at least 1 s");
        Require(options.Heartbeat > TimeSpan.Zero, nameof(HeartbeatInterval), "must be positive");
        Require(options.MissedHeartbeats >= 1, nameof(MissedHeartbeats), "must be at least 1");
        // A dead probe's monitors move once its heartbeats have run out; within one interval, at most one slot goes unchecked.
        Require(options.MemberLifetime < options.MinimumInterval, nameof(MissedHeartbeats),
            $"x HeartbeatInterval ({options.MemberLifetime.TotalSeconds:0.###} s) must be shorter than MinimumInterval ({options.MinimumInterval.TotalSeconds:0.###} s), or a dead probe's monitors miss more than one check");
        Require(options.CanaryUrl is null || (options.CanaryUrl.IsAbsoluteUri && options.CanaryUrl.Scheme is "http" or "https"),
            nameof(CanaryUrl), "must be an absolute http or https URL");
        Require(options.CanaryInterval > TimeSpan.Zero, nameof(CanaryInterval), "must be positive");
        return options;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
            throw new InvalidOperationException($"Configuration {Section}:{key} {problem}.");
    }
}
