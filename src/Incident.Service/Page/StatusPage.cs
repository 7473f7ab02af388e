namespace StatusPlatform.Incident.Page;

public sealed record PageSettings(string PageId, string Name, string Url, string TimeZone);

public sealed record PageConfigured(PageSettings Settings, DateTimeOffset ConfiguredAt);

public sealed record StatusPage(PageSettings Settings)
{
    public const string StreamId = "page";

    public static StatusPage Create(PageConfigured e) => new(e.Settings);

    public StatusPage Apply(PageConfigured e) => new(e.Settings);

    public static IReadOnlyList<object> Decide(StatusPage? state, PageSettings desired, DateTimeOffset now) =>
        state?.Settings == desired ? [] : [new PageConfigured(desired, now)];
}
