using System.Text.RegularExpressions;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Commands;

namespace StatusPlatform.Incident.Components;

/// <summary>
/// Components and groups managed through the admin API (src/Contracts/ComponentCommands.cs). The configuration file keeps
/// what it defines: changing or deleting one of its components here is refused with the reason, since the next start
/// would put the file's version back.
/// </summary>
public sealed partial class ComponentCommandsConsumer(EventStore store, CatalogReader catalog, TimeProvider time, ILogger<ComponentCommandsConsumer> logger)
    : CommandConsumer(store, logger), IConsumer<CreateComponent>, IConsumer<UpdateComponent>, IConsumer<DeleteComponent>
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex IdPattern();

    public Task Consume(ConsumeContext<CreateComponent> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var id = command.ComponentId ?? DerivedId(context, "component");
        var errors = new Dictionary<string, string[]>();
        if (!IdPattern().IsMatch(id))
            errors["component_id"] = ["lowercase letters, digits, '-' and '_', at most 63"];
        var existing = errors.Count == 0 ? await Store.AggregateStreamAsync<Component>(Component.StreamId(id), ct: ct) : null;
        if (existing is { State.Removed: false })
        {
            // The same request again (a redelivery) gets the same answer; another request for a taken id is refused.
            if (command.ComponentId is null)
                return new CommandAccepted(id, existing.Version);
            errors["component_id"] = [$"'{id}' already exists"];
        }
        var settings = new ComponentSettings(command.Name?.Trim() ?? "", command.Description, NullIfEmpty(command.GroupId), command.Position ?? 1000,
            command.IsGroup, command.Automation, command.Owner, command.Showcase, command.OnlyShowIfDegraded);
        await ValidateAsync(errors, settings, id, ct);
        if (errors.Count > 0 || string.IsNullOrWhiteSpace(command.Actor))
            return Refused(errors.Count > 0 ? errors : new() { ["actor"] = ["is required"] });
        var now = time.GetUtcNow();
        var version = await Store.AppendAsync(Component.StreamId(id), existing is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(existing.Version),
            existing is null ? [new ComponentDefined(id, settings, now, Component.Api)] : [new ComponentReconfigured(id, settings, now, Component.Api)],
            Actor(command.Actor), ct);
        return new CommandAccepted(id, version);
    });

    public Task Consume(ConsumeContext<UpdateComponent> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<Component>(Component.StreamId(command.ComponentId ?? ""), ct: ct) is not { State.Removed: false } component)
            return NotFound("component", command.ComponentId);
        if (command.ExpectedVersion is { } expected && expected != component.Version)
            return new CommandConflict(component.State.Id, expected, component.Version);
        if (component.State.ManagedBy == Component.File)
            return FileManaged(component.State.Id);
        var current = component.State.Settings;
        var settings = current with
        {
            Name = command.Name?.Trim() ?? current.Name,
            Description = command.Description ?? current.Description,
            GroupId = command.GroupId is null ? current.GroupId : NullIfEmpty(command.GroupId),
            Position = command.Position ?? current.Position,
            Automation = command.Automation ?? current.Automation,
            Owner = command.Owner ?? current.Owner,
            Showcase = command.Showcase ?? current.Showcase,
            OnlyShowIfDegraded = command.OnlyShowIfDegraded ?? current.OnlyShowIfDegraded,
        };
        var errors = new Dictionary<string, string[]>();
        await ValidateAsync(errors, settings, component.State.Id, ct);
        if (errors.Count > 0)
            return Refused(errors);
        if (settings == current)
            return new CommandAccepted(component.State.Id, component.Version);
        var version = await Store.AppendAsync(Component.StreamId(component.State.Id), ExpectedVersion.Exactly(component.Version),
            [new ComponentReconfigured(component.State.Id, settings, time.GetUtcNow())], Actor(command.Actor), ct);
        return new CommandAccepted(component.State.Id, version);
    });

    public Task Consume(ConsumeContext<DeleteComponent> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<Component>(Component.StreamId(command.ComponentId ?? ""), ct: ct) is not { State.Removed: false } component)
            return NotFound("component", command.ComponentId);
        if (command.ExpectedVersion is { } expected && expected != component.Version)
            return new CommandConflict(component.State.Id, expected, component.Version);
        if (component.State.ManagedBy == Component.File)
            return FileManaged(component.State.Id);
        if (component.State.Settings.IsGroup && await HasChildrenAsync(component.State.Id, ct))
            return Refused(new Dictionary<string, string[]> { ["component_id"] = ["the group still has components: move or delete them first"] });
        // A monitor of a deleted component would still be probed, and its results would count for nothing.
        if ((await catalog.GetAsync(ct)).MonitorsOf(component.State.Id).Any())
            return Refused(new Dictionary<string, string[]> { ["component_id"] = ["the component still has monitors: move or delete them first"] });
        var version = await Store.AppendAsync(Component.StreamId(component.State.Id), ExpectedVersion.Exactly(component.Version),
            [new ComponentRemoved(component.State.Id, time.GetUtcNow())], Actor(command.Actor), ct);
        return new CommandAccepted(component.State.Id, version);
    });

    private async Task ValidateAsync(Dictionary<string, string[]> errors, ComponentSettings settings, string id, CancellationToken ct)
    {
        if (settings.Name.Length is 0 or > 255)
            errors["name"] = ["is required, at most 255 characters"];
        if (settings.Description?.Length > 1000)
            errors["description"] = ["must be at most 1000 characters"];
        if (settings.Position is < 1 or > 10_000)
            errors["position"] = ["must be from 1 to 10000"];
        if (settings.GroupId is { } groupId)
        {
            if (settings.IsGroup)
                errors["group_id"] = ["a group cannot be inside another group"];
            else if (groupId == id || await Store.AggregateStreamAsync<Component>(Component.StreamId(groupId), ct: ct) is not { State.Removed: false, State.Settings.IsGroup: true })
                errors["group_id"] = [$"'{groupId}' is not a group"];
        }
    }

    private async Task<bool> HasChildrenAsync(string groupId, CancellationToken ct)
    {
        foreach (var streamId in await Store.ListStreamIdsAsync("component-", ct: ct))
        {
            if (await Store.AggregateStreamAsync<Component>(streamId, ct: ct) is { State.Removed: false } child && child.State.Settings.GroupId == groupId)
                return true;
        }
        return false;
    }

    private static CommandRejected FileManaged(string id) => Refused(new Dictionary<string, string[]>
    {
        ["component_id"] = [$"'{id}' is defined in the configuration file; change it there (the file is applied at every start)"],
    });

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
