using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>The page's top-level <c>status</c> object (<c>{indicator, description}</c> on the wire) and how it is derived.</summary>
public sealed record PageStatus(string Indicator, string Description)
{
    public const string None = "none";
    public const string Maintenance = "maintenance";
    public const string Minor = "minor";
    public const string Major = "major";
    public const string Critical = "critical";

    public static readonly PageStatus AllSystemsOperational = new(None, "All Systems Operational");

    /// <summary>
    /// The page status from the statuses of its components (groups left out: a group's status is derived from its
    /// children, so counting it would count those children twice) and the impacts of its unresolved incidents.
    /// </summary>
    /// <remarks>
    /// No components, or one: the rules of statuspage-api.md 1.4, word for word. Two or more (Statuspage only says it
    /// "blends"; our choice): the worst status decides, and whether every component shares it decides how loud:
    /// <code>
    /// worst status          every component has it                 only some have it
    /// major_outage          critical  Major System Outage          major  Partial System Outage
    /// partial_outage        major     Partial System Outage        minor  Minor Service Outage
    /// degraded_performance  minor     Degraded System Service      minor  Partially Degraded Service
    /// under_maintenance     maintenance  Service Under Maintenance (maintenance beside operational components)
    /// operational           none      All Systems Operational
    /// </code>
    /// The "every" column equals the one-component rule except for degraded performance, where the reference fixes
    /// one component to "Partially Degraded Service". These pairs are the ones seen in real payloads (major/Partial
    /// System Outage, critical/Major System Outage, minor/Partially Degraded Service, minor/Minor Service Outage).
    /// An unresolved incident raises the indicator to its impact when that is higher (none &lt; maintenance &lt; minor
    /// &lt; major &lt; critical) and then speaks for the page: minor "Minor Service Outage", major "Partial System
    /// Outage", critical "Major Service Outage" (the docs' own example text, which only a critical incident produces).
    /// An unknown status or impact counts as operational or none, so a value added later cannot break the page.
    /// </remarks>
    public static PageStatus From(IReadOnlyCollection<string> componentStatuses, IEnumerable<string> unresolvedIncidentImpacts)
    {
        var fromComponents = FromComponents(componentStatuses);
        var fromIncidents = unresolvedIncidentImpacts.Select(FromImpact).MaxBy(s => Rank(s.Indicator)) ?? AllSystemsOperational;
        return Rank(fromIncidents.Indicator) > Rank(fromComponents.Indicator) ? fromIncidents : fromComponents;
    }

    private static PageStatus FromComponents(IReadOnlyCollection<string> statuses)
    {
        if (statuses.Count == 0)
            return AllSystemsOperational;
        var worst = statuses.MaxBy(Severity)!;
        if (statuses.Count == 1)
            return OneComponent(worst);
        var every = statuses.All(s => Severity(s) == Severity(worst));
        return worst switch
        {
            ComponentStatus.MajorOutage => every ? new(Critical, "Major System Outage") : new(Major, "Partial System Outage"),
            ComponentStatus.PartialOutage => every ? new(Major, "Partial System Outage") : new(Minor, "Minor Service Outage"),
            ComponentStatus.DegradedPerformance => new(Minor, every ? "Degraded System Service" : "Partially Degraded Service"),
            ComponentStatus.UnderMaintenance => new(Maintenance, "Service Under Maintenance"),
            _ => AllSystemsOperational,
        };
    }

    private static PageStatus OneComponent(string status) => status switch
    {
        ComponentStatus.MajorOutage => new(Critical, "Major System Outage"),
        ComponentStatus.PartialOutage => new(Major, "Partial System Outage"),
        ComponentStatus.DegradedPerformance => new(Minor, "Partially Degraded Service"),
        ComponentStatus.UnderMaintenance => new(Maintenance, "Service Under Maintenance"),
        _ => AllSystemsOperational,
    };

    private static PageStatus FromImpact(string impact) => impact switch
    {
        IncidentImpact.Critical => new(Critical, "Major Service Outage"),
        IncidentImpact.Major => new(Major, "Partial System Outage"),
        IncidentImpact.Minor => new(Minor, "Minor Service Outage"),
        _ => AllSystemsOperational,
    };

    private static int Severity(string status) => status switch
    {
        ComponentStatus.MajorOutage => 4,
        ComponentStatus.PartialOutage => 3,
        ComponentStatus.DegradedPerformance => 2,
        ComponentStatus.UnderMaintenance => 1,
        _ => 0,
    };

    private static int Rank(string indicator) => indicator switch
    {
        Critical => 4,
        Major => 3,
        Minor => 2,
        Maintenance => 1,
        _ => 0,
    };
}
