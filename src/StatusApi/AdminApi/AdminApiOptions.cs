namespace StatusPlatform.StatusApi.AdminApi;

/// <summary>The admin v1 API (configuration section <c>AdminApi</c>).</summary>
public sealed class AdminApiOptions
{
    public const string Section = "AdminApi";

    /// <summary>The shortest bootstrap key accepted: SHA-256 is only safe for keys too random to guess.</summary>
    public const int MinimumBootstrapKeyLength = 32;

    /// <summary>
    /// An admin key from configuration (a secret store or environment variable, never a file in the repository), so the
    /// first real keys can be created. Held only as its SHA-256 hash; remove it from configuration to revoke it.
    /// </summary>
    public string? BootstrapKey { get; set; }

    /// <summary>Requests one key may make per rolling minute; Statuspage allows one a second, ten times fewer.</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>How long a write waits for Incident.Service's answer before it answers 503.</summary>
    public int CommandTimeoutSeconds { get; set; } = 10;

    /// <summary>How long an accepted write waits for the read model to show it before it answers 202 instead.</summary>
    public int ReadModelWaitSeconds { get; set; } = 5;

    public TimeSpan CommandTimeout => TimeSpan.FromSeconds(CommandTimeoutSeconds);

    public TimeSpan ReadModelWait => TimeSpan.FromSeconds(ReadModelWaitSeconds);

    /// <summary>Reads and checks the section; a bad value stops start-up with a message naming the key (never its value).</summary>
    public static AdminApiOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<AdminApiOptions>() ?? new AdminApiOptions();
        if (string.IsNullOrWhiteSpace(options.BootstrapKey))
            options.BootstrapKey = null;
        Require(options.BootstrapKey is null || options.BootstrapKey.Trim().Length >= MinimumBootstrapKeyLength, nameof(BootstrapKey),
            $"must be at least {MinimumBootstrapKeyLength} characters of random text (for example: openssl rand -base64 32)");
        Require(options.RequestsPerMinute > 0, nameof(RequestsPerMinute), "must be positive");
        Require(options.CommandTimeoutSeconds > 0, nameof(CommandTimeoutSeconds), "must be positive");
        Require(options.ReadModelWaitSeconds >= 0, nameof(ReadModelWaitSeconds), "must not be negative");
        return options;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
            throw new InvalidOperationException($"Configuration {Section}:{key} {problem}.");
    }
}
