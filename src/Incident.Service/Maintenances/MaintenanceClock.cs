using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>
/// Lets time act on maintenances: every Maintenance:TickSeconds (default 5) it sends due reminders, starts and completes
/// windows with auto-transition, and schedules the occurrences of recurring service windows ahead of time. Several
/// instances may tick at once: every write carries the version it read (or derives its id), so one wins and the others'
/// conflicts are dropped until the next tick.
/// </summary>
public sealed class MaintenanceClock(EventStore store, MaintenanceWriter writer, NpgsqlDataSource dataSource, TimeProvider time, IConfiguration configuration,
    ILogger<MaintenanceClock> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue("Maintenance:TickSeconds", 5.0)), time);
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or ConcurrencyException or TimeoutException)
            {
                logger.LogWarning(e, "Maintenance clock tick failed; retrying at the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task TickAsync(CancellationToken ct)
    {
        await ScheduleServiceWindowsAsync(ct);
        foreach (var id in await OpenMaintenancesAsync(ct))
        {
            if (await store.AggregateStreamAsync<Maintenance>(Maintenance.StreamId(id), ct: ct) is not { } maintenance)
                continue;
            var events = MaintenanceDecisions.Tick(maintenance.State, time.GetUtcNow(), Ids.New);
            if (events.Count > 0)
                await writer.AppendAsync(maintenance, events, Maintenance.Clock, ct);
        }
    }

    private async Task ScheduleServiceWindowsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var streamId in await store.ListStreamIdsAsync("service-window-", ct: ct))
        {
            if (await store.AggregateStreamAsync<ServiceWindow>(streamId, ct: ct) is not { State.Removed: false } window)
                continue;
            var definition = window.State.Definition;
            foreach (var (start, end) in ServiceWindow.Occurrences(definition.Rule, now, now.AddDays(definition.ScheduleDaysAhead)))
            {
                var id = ServiceWindow.MaintenanceId(definition.WindowId, start);
                if (await store.GetStreamStateAsync(Maintenance.StreamId(id), ct) is not null)
                    continue;
                var components = new Dictionary<string, Component>(StringComparer.Ordinal);
                foreach (var componentId in definition.ComponentIds)
                {
                    if (await store.AggregateStreamAsync<Component>(Component.StreamId(componentId), ct: ct) is { State.Removed: false } component)
                        components[componentId] = component.State;
                }
                // A component removed since the window was defined drops out of its future maintenances.
                var occurrence = window.State.Occurrence(start, end) with { ComponentIds = [.. components.Keys] };
                var (errors, scheduled) = MaintenanceDecisions.Schedule(occurrence, components, id, Ids.Derived($"update:{id}"), definition.WindowId, now);
                if (scheduled is null)
                {
                    logger.LogWarning("Service window {Window} could not schedule {Start}: {Errors}", definition.WindowId, start, string.Join("; ", errors.Keys));
                    continue;
                }
                try
                {
                    await store.AppendAsync(Maintenance.StreamId(id), ExpectedVersion.NoStream, [scheduled], new EventMetadata(Actor: Maintenance.Clock), ct);
                }
                catch (ConcurrencyException)
                {
                    // Another instance scheduled this occurrence first.
                }
            }
        }
    }

    private async Task<List<string>> OpenMaintenancesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id from status.maintenances where status in ('scheduled', 'in_progress', 'verifying')");
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            ids.Add(reader.GetString(0));
        return ids;
    }
}
