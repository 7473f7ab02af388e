using StatusPlatform.Contracts;

namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>Integration events as Incident.Service publishes them, with a unique incident id and name per call.</summary>
public static class Incidents
{
    public static IncidentOpened Opened(params AffectedComponent[] components)
    {
        var id = $"inc-{Guid.NewGuid():N}"[..16];
        return new IncidentOpened(id, $"Checkout errors {id}", IncidentStatus.Investigating, IncidentImpact.Major,
            "We are investigating reports of problems.", components, Automatic: false, DateTimeOffset.UtcNow);
    }

    public static IncidentResolved Resolved(IncidentOpened opened) =>
        new(opened.IncidentId, opened.Name, "The problem is fixed.",
            [.. opened.Components.Select(c => c with { Status = ComponentStatus.Operational })], Automatic: false, DateTimeOffset.UtcNow);

    public static AffectedComponent Website => new(ServiceWithSubscribers.Website, "Demo Website", ComponentStatus.MajorOutage);

    public static AffectedComponent Api => new(ServiceWithSubscribers.Api, "Demo API", ComponentStatus.PartialOutage);
}
