using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Commands;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>Answers the maintenance and service-window commands (src/Contracts/MaintenanceCommands.cs).</summary>
public sealed class MaintenanceCommandsConsumer(EventStore store, MaintenanceWriter writer, TimeProvider time, ILogger<MaintenanceCommandsConsumer> logger)
    : CommandConsumer(store, logger), IConsumer<ScheduleMaintenance>, IConsumer<PostMaintenanceUpdate>, IConsumer<CancelMaintenance>,
        IConsumer<DefineServiceWindow>, IConsumer<RemoveServiceWindow>
{
    public Task Consume(ConsumeContext<ScheduleMaintenance> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var id = DerivedId(context, "maintenance");
        if (await Store.GetStreamStateAsync(Maintenance.StreamId(id), ct) is { } done)
            return new CommandAccepted(id, done.Version);
        var components = await LoadComponentsAsync(command.ComponentIds ?? [], ct);
        var (errors, scheduled) = MaintenanceDecisions.Schedule(command, States(components), id, DerivedId(context, "update"), null, time.GetUtcNow());
        if (scheduled is null || string.IsNullOrWhiteSpace(command.Actor))
            return Refused(scheduled is null ? errors : new() { ["actor"] = ["is required"] });
        var version = await Store.AppendAsync(Maintenance.StreamId(id), ExpectedVersion.NoStream, [scheduled], Actor(command.Actor), ct);
        return new CommandAccepted(id, version);
    });

    public Task Consume(ConsumeContext<PostMaintenanceUpdate> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<Maintenance>(Maintenance.StreamId(command.MaintenanceId ?? ""), ct: ct) is not { } maintenance)
            return NotFound("maintenance", command.MaintenanceId);
        var updateId = DerivedId(context, "update");
        if (maintenance.State.UpdateIds.Contains(updateId))
            return new CommandAccepted(maintenance.State.Id, maintenance.Version);
        if (command.ExpectedVersion is { } expected && expected != maintenance.Version)
            return new CommandConflict(maintenance.State.Id, expected, maintenance.Version);
        var (errors, updated) = MaintenanceDecisions.Update(maintenance.State, command, updateId, time.GetUtcNow());
        return updated is null ? Refused(errors) : await writer.AppendAsync(maintenance, [updated], command.Actor, ct);
    });

    public Task Consume(ConsumeContext<CancelMaintenance> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<Maintenance>(Maintenance.StreamId(command.MaintenanceId ?? ""), ct: ct) is not { } maintenance)
            return NotFound("maintenance", command.MaintenanceId);
        if (command.ExpectedVersion is { } expected && expected != maintenance.Version)
            return new CommandConflict(maintenance.State.Id, expected, maintenance.Version);
        var (errors, cancelled) = MaintenanceDecisions.Cancel(maintenance.State, command, DerivedId(context, "update"), time.GetUtcNow());
        return cancelled is null ? Refused(errors) : await writer.AppendAsync(maintenance, [cancelled], command.Actor, ct);
    });

    public Task Consume(ConsumeContext<DefineServiceWindow> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var errors = ServiceWindow.Validate(command);
        var components = await LoadComponentsAsync(command.ComponentIds ?? [], ct);
        foreach (var (id, i) in (command.ComponentIds ?? []).Select((c, i) => (c, i)).Where(c => !components.ContainsKey(c.c ?? "")))
            errors[$"component_ids[{i}]"] = [$"'{id}' is not a component"];
        if (string.IsNullOrWhiteSpace(command.Actor))
            errors["actor"] = ["is required"];
        if (errors.Count > 0)
            return Refused(errors);
        var stream = ServiceWindow.StreamId(command.WindowId);
        var current = await Store.GetStreamStateAsync(stream, ct);
        var defined = new ServiceWindowDefined(command.WindowId, command.Name.Trim(), command.Body ?? "", [.. command.ComponentIds!.Distinct(StringComparer.Ordinal)],
            new ServiceWindowRule([.. command.Days.Distinct().Order()], command.StartLocalTime, command.DurationMinutes, command.TimeZone),
            command.ScheduleDaysAhead, command.ReminderMinutesBefore ?? MaintenanceDecisions.DefaultReminders, command.Actor, time.GetUtcNow());
        var version = await Store.AppendAsync(stream, current is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(current.Version), [defined],
            Actor(command.Actor), ct);
        return new CommandAccepted(command.WindowId, version);
    });

    public Task Consume(ConsumeContext<RemoveServiceWindow> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<ServiceWindow>(ServiceWindow.StreamId(command.WindowId ?? ""), ct: ct) is not { State.Removed: false } window)
            return NotFound("window", command.WindowId);
        var version = await Store.AppendAsync(ServiceWindow.StreamId(command.WindowId!), ExpectedVersion.Exactly(window.Version),
            [new ServiceWindowRemoved(command.WindowId!, command.Actor, time.GetUtcNow())], Actor(command.Actor), ct);
        return new CommandAccepted(command.WindowId!, version);
    });
}
