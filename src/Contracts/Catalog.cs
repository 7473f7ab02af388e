namespace StatusPlatform.Contracts;

/// <summary>A probe asks Incident.Service for the monitors to run (request/response over the bus).</summary>
public sealed record GetMonitorCatalog(string ProbeInstance, string Region);

/// <summary>The monitors a probe should run; <see cref="Version"/> grows with every change of the catalog.</summary>
public sealed record MonitorCatalog(long Version, IReadOnlyList<MonitorDefinition> Monitors);

/// <summary>One monitor as a probe needs it. Kind is "http" for now; timing values are in seconds.</summary>
public sealed record MonitorDefinition(
    string MonitorId,
    string ComponentId,
    string Kind,
    string Target,
    string Method,
    int IntervalSeconds,
    int TimeoutSeconds,
    IReadOnlyList<int> ExpectedStatusCodes);

/// <summary>The catalog changed; probes ask for it again.</summary>
public sealed record MonitorCatalogChanged(long Version, DateTimeOffset ChangedAt);
