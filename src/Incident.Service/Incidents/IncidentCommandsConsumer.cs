using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Commands;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.Incidents;

/// <summary>
/// Answers the incident commands (contracts in src/Contracts/IncidentCommands.cs). Each loads what the decision needs,
/// asks <see cref="ManualIncidents"/>, and appends the incident's, the components' and the ledger's events in one
/// transaction with the versions it read. Ids derive from the request's message id, so a redelivered command finds its
/// own work done and gets the same answer instead of a second incident or update. A version conflict with a
/// concurrent fold is retried; one with the caller's ExpectedVersion is the caller's to resolve (CommandConflict).
/// </summary>
public sealed class IncidentCommandsConsumer(EventStore store, TimeProvider time, ILogger<IncidentCommandsConsumer> logger)
    : CommandConsumer(store, logger), IConsumer<CreateIncident>, IConsumer<PostIncidentUpdate>, IConsumer<PublishPostmortem>, IConsumer<SetComponentOverride>
{
    public Task Consume(ConsumeContext<CreateIncident> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var incidentId = DerivedId(context, "incident");
        var stream = Incident.StreamId(incidentId);
        if (await Store.GetStreamStateAsync(stream, ct) is { } done)
            return new CommandAccepted(incidentId, done.Version);
        var components = await LoadComponentsAsync((command.Components ?? []).Select(c => c?.ComponentId), ct);
        var decision = ManualIncidents.Open(command, States(components), incidentId, DerivedId(context, "update"), time.GetUtcNow());
        return await SaveAsync(decision, stream, ExpectedVersion.NoStream, components, null, command.Actor, incidentId, ct);
    });

    public Task Consume(ConsumeContext<PostIncidentUpdate> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var stream = Incident.StreamId(command.IncidentId ?? "");
        if (await Store.AggregateStreamAsync<Incident>(stream, ct: ct) is not { } incident)
            return NotFound("incident", command.IncidentId);
        var updateId = DerivedId(context, "update");
        if (incident.State.UpdateIds.Contains(updateId))
            return new CommandAccepted(incident.State.Id, incident.Version);
        if (command.ExpectedVersion is { } expected && expected != incident.Version)
            return new CommandConflict(incident.State.Id, expected, incident.Version);
        var components = await LoadComponentsAsync(incident.State.Components.Select(c => c.ComponentId)
            .Concat((command.Components ?? []).Select(c => c?.ComponentId)), ct);
        var ledger = await Store.AggregateStreamAsync<AutomationLedger>(AutomationLedger.StreamId, ct: ct);
        var decision = ManualIncidents.Update(incident.State, command, States(components), ledger?.State.Open.ContainsKey(incident.State.Id) == true,
            updateId, time.GetUtcNow());
        return await SaveAsync(decision, stream, ExpectedVersion.Exactly(incident.Version), components, ledger, command.Actor, incident.State.Id, ct);
    });

    public Task Consume(ConsumeContext<PublishPostmortem> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var stream = Incident.StreamId(command.IncidentId ?? "");
        if (await Store.AggregateStreamAsync<Incident>(stream, ct: ct) is not { } incident)
            return NotFound("incident", command.IncidentId);
        if (command.ExpectedVersion is { } expected && expected != incident.Version)
            return new CommandConflict(incident.State.Id, expected, incident.Version);
        var decision = ManualIncidents.Postmortem(incident.State, command, time.GetUtcNow());
        return await SaveAsync(decision, stream, ExpectedVersion.Exactly(incident.Version), [], null, command.Actor, incident.State.Id, ct);
    });

    public Task Consume(ConsumeContext<SetComponentOverride> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var components = await LoadComponentsAsync([command.ComponentId], ct);
        if (components.Count == 0)
            return NotFound("component", command.ComponentId);
        var component = components.Values.Single();
        if (command.ExpectedVersion is { } expected && expected != component.Version)
            return new CommandConflict(component.State.Id, expected, component.Version);
        var decision = ManualIncidents.Override(component.State, command, time.GetUtcNow());
        return await SaveAsync(decision, null, ExpectedVersion.Any, components, null, command.Actor, component.State.Id, ct,
            answerStream: Component.StreamId(component.State.Id), unchangedVersion: component.Version);
    });

    private async Task<object> SaveAsync(IncidentDecision decision, string? incidentStream, ExpectedVersion incidentVersion,
        Dictionary<string, Aggregated<Component>> components, Aggregated<AutomationLedger>? ledger, string actor, string id, CancellationToken ct,
        string? answerStream = null, long unchangedVersion = 0)
    {
        answerStream ??= incidentStream;
        if (decision.Rejected)
            return Refused(decision.Errors);
        if (string.IsNullOrWhiteSpace(actor))
            return Refused(new Dictionary<string, string[]> { ["actor"] = ["is required"] });
        var metadata = Actor(actor);
        await using var session = await Store.OpenSessionAsync(ct);
        if (incidentStream is not null && decision.IncidentEvents.Count > 0)
            session.Append(incidentStream, incidentVersion, decision.IncidentEvents, metadata);
        foreach (var (componentId, events) in decision.ComponentEvents)
            session.Append(Component.StreamId(componentId), ExpectedVersion.Exactly(components[componentId].Version), events, metadata);
        if (decision.LedgerEvents.Count > 0)
            session.Append(AutomationLedger.StreamId, ledger is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(ledger.Version), decision.LedgerEvents, metadata);
        var versions = await session.SaveChangesAsync(ct);
        return new CommandAccepted(id, answerStream is not null && versions.TryGetValue(answerStream, out var version) ? version : unchangedVersion);
    }
}
