using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Pages;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;
using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>The dashboard: components with their status now, open incidents and maintenance, the last check per monitor and region.</summary>
public static class DashboardPages
{
    public static async Task<IResult> GetDashboardAsync(HttpContext context, ConsoleSite site, AdminReadModel admin, ConsoleReadModel read, string? done = null)
    {
        var ct = context.RequestAborted;
        var frame = await site.FrameAsync(context, "Dashboard", done);
        var (_, components) = await admin.ComponentsAsync(0, 1000, ct);
        var (_, open) = await admin.IncidentsAsync(null, unresolvedOnly: true, 0, 100, ct);
        var automatic = await read.AutomaticIncidentsAsync([.. open.Select(i => i.Incident.Id)], ct);
        var maintenances = (await read.MaintenancesAsync(frame.Now, ct))
            .Where(m => m.Status is MaintenanceStatus.Scheduled or MaintenanceStatus.InProgress or MaintenanceStatus.Verifying).ToList();
        var checks = await read.LastChecksAsync(frame.Now, ct);
        return await site.PageAsync<DashboardPage>(new DashboardModel(frame, components, open, automatic, maintenances, checks));
    }
}

public sealed record DashboardModel(
    ConsoleFrame Frame, IReadOnlyList<ComponentRow> Components, IReadOnlyList<IncidentDetails> OpenIncidents, IReadOnlySet<string> Automatic,
    IReadOnlyList<MaintenanceItem> Maintenances, IReadOnlyList<LastCheck>? Checks);
