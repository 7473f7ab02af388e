using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Components;

/// <summary>
/// How a component's displayed status is blended from its sources (ARCHITECTURE.md section 5). Pure.
/// <list type="table">
/// <item>not in maintenance: the worst of the monitors' status, every status an open incident set, and the override;</item>
/// <item>in maintenance: the worst of under_maintenance, the incidents' statuses and the override. The monitors are left
/// out on purpose: failures during announced work are expected, and a page that turns red for them would contradict
/// the maintenance notice users were sent. A person who wants to show an outage anyway posts an incident or overrides.</item>
/// </list>
/// Severity, lowest first: operational, under_maintenance, degraded_performance, partial_outage, major_outage (the order
/// the group status uses as well).
/// </summary>
public static class ComponentStatusRules
{
    private static readonly string[] Severity =
        [ComponentStatus.Operational, ComponentStatus.UnderMaintenance, ComponentStatus.DegradedPerformance, ComponentStatus.PartialOutage, ComponentStatus.MajorOutage];

    public static bool IsValid(string? status) => status is not null && Array.IndexOf(Severity, status) >= 0;

    public static string Worst(IEnumerable<string> statuses) =>
        statuses.MaxBy(s => Array.IndexOf(Severity, s)) ?? ComponentStatus.Operational;

    public static string Displayed(string monitorStatus, IEnumerable<string> incidentStatuses, string? manualOverride, bool inMaintenance)
    {
        IEnumerable<string> sources = [inMaintenance ? ComponentStatus.UnderMaintenance : monitorStatus, .. incidentStatuses];
        return Worst(manualOverride is null ? sources : sources.Append(manualOverride));
    }
}
