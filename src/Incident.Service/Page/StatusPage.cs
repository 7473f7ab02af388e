namespace StatusPlatform.Incident.Page;

/// <summary>
/// The page's settings and branding. The branding members came later and are null when unset, which is also what events
/// written before they existed read back as.
/// </summary>
public sealed record PageSettings(
    string PageId,
    string Name,
    string Url,
    string TimeZone,
    string? LogoUrl = null,
    string? AccentColor = null,
    string? AccentColorDark = null,
    string? CustomCss = null);

/// <summary><see cref="ManagedBy"/>: "file" (the configuration file's page section, the default of older events) or "api".</summary>
public sealed record PageConfigured(PageSettings Settings, DateTimeOffset ConfiguredAt, string ManagedBy = StatusPage.File);

public sealed record StatusPage(PageSettings Settings)
{
    public const string StreamId = "page";
    public const string File = "file";
    public const string Api = "api";

    /// <summary>Who owns the settings: the configuration file's page section, or the admin API once a command changed them.</summary>
    public string ManagedBy { get; init; } = File;

    public static StatusPage Create(PageConfigured e) => new(e.Settings) { ManagedBy = e.ManagedBy };

    public StatusPage Apply(PageConfigured e) => new(e.Settings) { ManagedBy = e.ManagedBy };

    /// <summary>
    /// Configuration as code: the file's page section, unless the page is managed through the admin API; then the file no
    /// longer applies (the command is the newer intent, and a restart must not undo it).
    /// </summary>
    public static IReadOnlyList<object> Decide(StatusPage? state, PageSettings desired, DateTimeOffset now) =>
        state?.ManagedBy == Api || state?.Settings == desired ? [] : [new PageConfigured(desired, now)];
}
