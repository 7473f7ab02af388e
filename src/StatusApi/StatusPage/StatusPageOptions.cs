using System.Text.RegularExpressions;

namespace StatusPlatform.StatusApi.StatusPage;

/// <summary>
/// The HTML status page (configuration section <c>StatusPage</c>). The branding lives here because the page settings
/// (status.page) have no branding fields yet; when they do, these become the defaults.
/// </summary>
public sealed partial class StatusPageOptions
{
    public const string Section = "StatusPage";

    /// <summary>An absolute http(s) URL or a path on this host; shown in the header instead of the page name alone.</summary>
    public string? LogoUrl { get; set; }

    /// <summary>Header and link colour (<c>#rgb</c> or <c>#rrggbb</c>), light scheme. The default passes WCAG AA on white.</summary>
    public string AccentColor { get; set; } = "#0b5cad";

    /// <summary>The same in the dark scheme, on the dark background.</summary>
    public string AccentColorDark { get; set; } = "#6cb6ff";

    /// <summary>CSS appended after the built-in styles (served as /status-page/theme.css, so the page's CSP needs no inline styles).</summary>
    public string? CustomCss { get; set; }

    /// <summary>
    /// How often maintenances and the incidents behind the uptime tooltips are read again without a page change (a newly
    /// scheduled maintenance raises no event the page hears).
    /// </summary>
    public TimeSpan ExtrasRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long daily uptime is kept before it is computed again (a change of the page reads it at once).</summary>
    public TimeSpan UptimeRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Days of uptime bars.</summary>
    public int UptimeDays { get; set; } = 90;

    /// <summary>How long a subscription page waits for Notify.Service before it says the service is unavailable.</summary>
    public TimeSpan SubscriptionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Subscription requests (the subscribe, confirm, manage and unsubscribe pages and /api/v2/subscriptions) one client
    /// may make per minute on one replica; more get 429 with Retry-After. The per-address limit is Notify.Service's
    /// (Notify:SubscriptionMailsPerAddress).
    /// </summary>
    public int SubscriptionRequestsPerMinute { get; set; } = 10;

    /// <summary>
    /// The header a reverse proxy puts the client's address in (for example X-Forwarded-For; its first entry counts). Only
    /// behind a proxy that sets it, or clients pick their own address; unset: the connection's address.
    /// </summary>
    public string? ClientAddressHeader { get; set; }

    /// <summary>Open live-update streams one replica keeps; more get 503 and the page simply stays as loaded.</summary>
    public int MaxLiveConnections { get; set; } = 10_000;

    /// <summary>Reads and checks the section; a bad value stops start-up with a message naming the key.</summary>
    public static StatusPageOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<StatusPageOptions>() ?? new StatusPageOptions();
        if (string.IsNullOrWhiteSpace(options.LogoUrl))
            options.LogoUrl = null;
        Require(options.LogoUrl is null || IsSafeUrl(options.LogoUrl), nameof(LogoUrl), "must be an absolute http(s) URL or a path starting with /");
        Require(Colour().IsMatch(options.AccentColor), nameof(AccentColor), "must be a colour like #0b5cad");
        Require(Colour().IsMatch(options.AccentColorDark), nameof(AccentColorDark), "must be a colour like #6cb6ff");
        // The CSS is served as its own file, but a "<" has no business in a style sheet and is the start of every injection.
        Require(options.CustomCss is null || !options.CustomCss.Contains('<', StringComparison.Ordinal), nameof(CustomCss), "must not contain '<'");
        Require(options.ExtrasRefreshInterval > TimeSpan.Zero, nameof(ExtrasRefreshInterval), "must be positive");
        Require(options.UptimeRefreshInterval > TimeSpan.Zero, nameof(UptimeRefreshInterval), "must be positive");
        Require(options.UptimeDays is >= 1 and <= 366, nameof(UptimeDays), "must be between 1 and 366");
        Require(options.SubscriptionTimeout > TimeSpan.Zero, nameof(SubscriptionTimeout), "must be positive");
        Require(options.SubscriptionRequestsPerMinute >= 1, nameof(SubscriptionRequestsPerMinute), "must be at least 1");
        if (string.IsNullOrWhiteSpace(options.ClientAddressHeader))
            options.ClientAddressHeader = null;
        Require(options.MaxLiveConnections >= 0, nameof(MaxLiveConnections), "must not be negative");
        return options;
    }

    private static bool IsSafeUrl(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)
        || Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex Colour();

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
            throw new InvalidOperationException($"Configuration {Section}:{key} {problem}.");
    }
}
