namespace StatusPlatform.Probe;

/// <summary>Settings of one probe instance, from the configuration section <c>Probe</c>.</summary>
public sealed class ProbeOptions
{
    public const string Section = "Probe";

    /// <summary>Where this probe runs; Incident.Service folds results per region.</summary>
    public string Region { get; set; } = "local";

    /// <summary>Names this probe in results and in its own queue; must be unique among running probes.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Safety net: ask for the catalog this often even when no change event arrived.</summary>
    public TimeSpan CatalogRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for Incident.Service to answer one catalog request.</summary>
    public TimeSpan CatalogRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First pause after an unanswered catalog request; it doubles up to <see cref="CatalogRetryMaxDelay"/>.</summary>
    public TimeSpan CatalogRetryMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan CatalogRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

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
        return options;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
            throw new InvalidOperationException($"Configuration {Section}:{key} {problem}.");
    }
}
