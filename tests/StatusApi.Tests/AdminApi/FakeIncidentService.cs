using System.Collections.Concurrent;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>
/// Answers the incident commands on the test's virtual host the way Incident.Service does (CommandAccepted with the stream
/// version, CommandRejected with field errors, CommandConflict on a stale ExpectedVersion) and writes the read-model rows its
/// projections would, recording every command. Incident.Service is our own service with its own tests against the same
/// contracts (src/Contracts), so this makes these contract tests of StatusApi without hosting the whole suite.
/// </summary>
public sealed partial class FakeIncidentService(NpgsqlDataSource database, Uri amqp) : IAsyncDisposable
{
    /// <summary>An incident with this name gets no answer at all, as when Incident.Service is down.</summary>
    public const string Unanswered = "nobody answers";

    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);
    private IBusControl? _bus;
    private int _ids;

    public ConcurrentQueue<object> Commands { get; } = new();

    public async Task StartAsync()
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(amqp);
            rabbit.ReceiveEndpoint($"fake-incident-service-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.Handler<CreateIncident>(context => Answer(context, CreateAsync));
                endpoint.Handler<PostIncidentUpdate>(context => Answer(context, UpdateAsync));
                endpoint.Handler<PublishPostmortem>(context => Answer(context, PostmortemAsync));
                endpoint.Handler<SetComponentOverride>(context => Answer(context, OverrideAsync));
                endpoint.Handler<ScheduleMaintenance>(context => Answer(context, ScheduleAsync));
                endpoint.Handler<PostMaintenanceUpdate>(context => Answer(context, c => Versioned(c.MaintenanceId, c.ExpectedVersion)));
                endpoint.Handler<CancelMaintenance>(context => Answer(context, c => Versioned(c.MaintenanceId, c.ExpectedVersion)));
                endpoint.Handler<SaveIncidentTemplate>(context => Answer(context, c => Task.FromResult<object?>(
                    string.IsNullOrWhiteSpace(c.Title) ? Rejected("title", "is required") : new CommandAccepted(c.TemplateId ?? "tpl1", 1))));
                AnswerCatalogCommands(endpoint);
            });
        });
        await _bus.StartAsync();
    }

    public T Last<T>() => Commands.OfType<T>().Last();

    public long VersionOf(string id) => _versions.GetValueOrDefault(id);

    private async Task Answer<T>(ConsumeContext<T> context, Func<T, Task<object?>> handle) where T : class
    {
        Commands.Enqueue(context.Message);
        if (await handle(context.Message) is { } answer)
            await context.RespondAsync(answer, answer.GetType());
    }

    private async Task<object?> CreateAsync(CreateIncident command)
    {
        if (command.Name == Unanswered)
            return null;
        if (string.IsNullOrWhiteSpace(command.Name))
            return Rejected("name", "is required");
        if (await UnknownComponentAsync(command.Components) is { } unknown)
            return unknown;
        var id = $"inc{Interlocked.Increment(ref _ids):D9}";
        var now = DateTimeOffset.UtcNow;
        await ExecuteAsync("""
            insert into status.incidents (id, name, status, impact, created_at, updated_at, started_at) values ($1, $2, $3, 'minor', $4, $4, $4)
            """, id, command.Name, command.Status, now);
        await ExecuteAsync("insert into status.incident_components (incident_id, component_id) select $1, unnest($2::text[])",
            id, (command.Components ?? []).Select(c => c.ComponentId).ToArray());
        await AddUpdateAsync(id, command.Status, command.Body, now);
        await ExecuteAsync("update status.incidents set version = 1 where id = $1", id);
        return new CommandAccepted(id, _versions[id] = 1);
    }

    private Task<object?> ScheduleAsync(ScheduleMaintenance command)
    {
        if (command.ScheduledUntil <= command.ScheduledFor)
            return Task.FromResult<object?>(Rejected("scheduled_until", "must be after scheduled_for"));
        var id = $"mnt{Interlocked.Increment(ref _ids):D9}";
        return Task.FromResult<object?>(new CommandAccepted(id, _versions[id] = 1));
    }

    private Task<object?> Versioned(string id, long? expected) => Task.FromResult<object?>(
        !_versions.TryGetValue(id, out var version) ? new CommandRejected($"No maintenance '{id}'", new Dictionary<string, string[]> { ["maintenance_id"] = ["does not exist"] }, NotFound: true)
        : expected is { } e && e != version ? new CommandConflict(id, e, version)
        : new CommandAccepted(id, _versions[id] = version + 1));

    private async Task<object?> UpdateAsync(PostIncidentUpdate command)
    {
        if (!_versions.TryGetValue(command.IncidentId, out var version))
            return new CommandRejected($"No incident '{command.IncidentId}'", new Dictionary<string, string[]> { ["incident_id"] = ["does not exist"] }, NotFound: true);
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(command.IncidentId, expected, version);
        if (string.IsNullOrWhiteSpace(command.Body))
            return Rejected("body", "is required");
        if (await UnknownComponentAsync(command.Components) is { } unknown)
            return unknown;
        var now = DateTimeOffset.UtcNow;
        await ExecuteAsync("update status.incidents set status = $2, name = coalesce($3::text, name), updated_at = $4 where id = $1",
            command.IncidentId, command.Status, command.Name, now);
        await AddUpdateAsync(command.IncidentId, command.Status, command.Body, now);
        await ExecuteAsync("update status.incidents set version = $2 where id = $1", command.IncidentId, version + 1);
        return new CommandAccepted(command.IncidentId, _versions[command.IncidentId] = version + 1);
    }

    private async Task<object?> PostmortemAsync(PublishPostmortem command)
    {
        var version = _versions[command.IncidentId];
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(command.IncidentId, expected, version);
        var now = DateTimeOffset.UtcNow;
        await ExecuteAsync("update status.incidents set status = 'postmortem', postmortem_body = $2, postmortem_published_at = $3 where id = $1",
            command.IncidentId, command.Body, now);
        await AddUpdateAsync(command.IncidentId, "postmortem", command.Body, now);
        return new CommandAccepted(command.IncidentId, _versions[command.IncidentId] = version + 1);
    }

    private async Task<object?> OverrideAsync(SetComponentOverride command)
    {
        var version = _versions.GetOrAdd(command.ComponentId, 3);
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(command.ComponentId, expected, version);
        if (command.Status is not null)
            await ExecuteAsync("update status.components set status = $2, updated_at = $3 where id = $1", command.ComponentId, command.Status, DateTimeOffset.UtcNow);
        return new CommandAccepted(command.ComponentId, _versions[command.ComponentId] = version + 1);
    }

    private async Task<CommandRejected?> UnknownComponentAsync(IReadOnlyList<ComponentStatusChange>? changes)
    {
        foreach (var (change, i) in (changes ?? []).Select((c, i) => (c, i)))
        {
            await using var command = database.CreateCommand("select count(*) from status.components where id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = change.ComponentId });
            if ((long)(await command.ExecuteScalarAsync())! == 0)
                return Rejected($"components[{i}].component_id", $"'{change.ComponentId}' is not a component");
        }
        return null;
    }

    private static CommandRejected Rejected(string field, string problem) =>
        new("The command was refused; nothing was changed", new Dictionary<string, string[]> { [field] = [problem] });

    private Task AddUpdateAsync(string incidentId, string status, string body, DateTimeOffset at) => ExecuteAsync("""
        insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at) values ($1, $2, $3, $4, $5, $5, $5)
        """, $"upd{Guid.NewGuid():N}"[..15], incidentId, status, body, at);

    private async Task ExecuteAsync(string sql, params object?[] values)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
            await _bus.StopAsync();
    }
}
