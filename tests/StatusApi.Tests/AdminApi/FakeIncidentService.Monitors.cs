using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>
/// Monitor commands, answered as Incident.Service's MonitorCommandsConsumer does (a subset of its rules, with its field
/// names), writing status.monitors as MonitorsProjection and status.heartbeat_monitors as HeartbeatMonitorsProjection do.
/// Monitors the test seeds straight into status.monitors with managed_by 'file' are the configuration file's.
/// </summary>
public sealed partial class FakeIncidentService
{
    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly string[] Kinds = ["http", "tcp", "tls", "dns", "icmp", "heartbeat", "external"];

    private readonly ConcurrentDictionary<string, string?> _monitorTokens = new(StringComparer.Ordinal);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    private void AnswerMonitorCommands(IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        endpoint.Handler<CreateMonitor>(context => Answer(context, CreateMonitorAsync));
        endpoint.Handler<UpdateMonitor>(context => Answer(context, UpdateMonitorAsync));
        endpoint.Handler<DeleteMonitor>(context => Answer(context, DeleteMonitorAsync));
    }

    private async Task<object?> CreateMonitorAsync(CreateMonitor command)
    {
        var id = command.MonitorId ?? $"mon{Interlocked.Increment(ref _ids):D6}";
        var errors = await ValidateMonitorAsync(command.Monitor, creating: true);
        if (await MonitorManagedByAsync(id) is not null)
            errors["monitor_id"] = [$"'{id}' already exists"];
        if (errors.Count > 0)
            return new CommandRejected("The command was refused; nothing was changed", errors);
        await WriteMonitorAsync(id, command.Monitor, command.Monitor.PushTokenSha256, version: 1, created: true);
        return new CommandAccepted(id, _versions[id] = 1);
    }

    private async Task<object?> UpdateMonitorAsync(UpdateMonitor command)
    {
        if (await MonitorManagedByAsync(command.MonitorId) is not { } managedBy)
            return new CommandRejected($"No monitor '{command.MonitorId}'", new Dictionary<string, string[]> { ["monitor_id"] = ["does not exist"] }, NotFound: true);
        var version = _versions.GetOrAdd(command.MonitorId, 1);
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(command.MonitorId, expected, version);
        if (managedBy == "file")
            return Rejected("monitor_id", $"'{command.MonitorId}' is defined in the configuration file; change it there (the file is applied at every start)");
        var wasPushed = _monitorTokens.TryGetValue(command.MonitorId, out var current) && current is not null;
        var errors = await ValidateMonitorAsync(command.Monitor, creating: !wasPushed);
        if (errors.Count > 0)
            return new CommandRejected("The command was refused; nothing was changed", errors);
        await WriteMonitorAsync(command.MonitorId, command.Monitor, command.Monitor.PushTokenSha256 ?? current, version + 1, created: false);
        return new CommandAccepted(command.MonitorId, _versions[command.MonitorId] = version + 1);
    }

    private async Task<object?> DeleteMonitorAsync(DeleteMonitor command)
    {
        if (await MonitorManagedByAsync(command.MonitorId) is not { } managedBy)
            return new CommandRejected($"No monitor '{command.MonitorId}'", new Dictionary<string, string[]> { ["monitor_id"] = ["does not exist"] }, NotFound: true);
        var version = _versions.GetOrAdd(command.MonitorId, 1);
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(command.MonitorId, expected, version);
        if (managedBy == "file")
            return Rejected("monitor_id", $"'{command.MonitorId}' is defined in the configuration file; change it there");
        await ExecuteAsync("delete from status.monitors where id = $1; ", command.MonitorId);
        await ExecuteAsync("delete from status.heartbeat_monitors where monitor_id = $1", command.MonitorId);
        return new CommandAccepted(command.MonitorId, _versions[command.MonitorId] = version + 1);
    }

    private async Task<Dictionary<string, string[]>> ValidateMonitorAsync(MonitorSpec spec, bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        var kind = spec.Kind.Trim();
        if (!Kinds.Contains(kind))
            errors["kind"] = [$"'{kind}' is not a supported monitor kind (supported: {string.Join(", ", Kinds)})"];
        if (await ComponentRowAsync(spec.ComponentId) is not { IsGroup: false })
            errors["component_id"] = [$"'{spec.ComponentId}' is not a component"];
        var pushed = kind is "heartbeat" or "external";
        if (pushed)
        {
            if (spec.PushTokenSha256 is null ? creating : !Sha256Pattern().IsMatch(spec.PushTokenSha256))
                errors["push_token_sha256"] = ["the SHA-256 of the secret, 64 lowercase hex characters (the secret itself is never sent)"];
            if (spec.TimeoutSeconds is not null)
                errors["timeout_seconds"] = [$"does not apply to {kind} monitors"];
            if (kind == "external" && spec.ExternalSource is not ("pingdom" or "uptimerobot" or "alertmanager" or "grafana"))
                errors["external_source"] = [$"'{spec.ExternalSource}' is not a supported alert source"];
        }
        else if (kind == "http" && !(Uri.TryCreate(spec.Target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors["target"] = [$"'{spec.Target}' is not an absolute http(s) URL"];
        }
        if (spec.IntervalSeconds is < 1 or > 86_400)
            errors["interval_seconds"] = [$"'{spec.IntervalSeconds}' s must be between 1 s and 24 h"];
        if (spec.Check?.DegradedAfterMs is < 1)
            errors["check.degraded_after_ms"] = [$"'{spec.Check.DegradedAfterMs}' ms is not a duration"];
        return errors;
    }

    private async Task WriteMonitorAsync(string id, MonitorSpec spec, string? tokenSha256, long version, bool created)
    {
        var kind = spec.Kind.Trim();
        var pushed = kind is "heartbeat" or "external";
        var http = kind == "http";
        var settings = JsonSerializer.Serialize(new
        {
            component_id = spec.ComponentId,
            kind,
            target = pushed ? null : spec.Target,
            method = http ? spec.Method ?? "GET" : null,
            interval_seconds = spec.IntervalSeconds ?? (pushed ? 300 : 60),
            timeout_seconds = pushed ? (int?)null : spec.TimeoutSeconds ?? 10,
            failure_threshold = pushed ? (int?)null : spec.FailureThreshold ?? 2,
            success_threshold = pushed ? (int?)null : spec.SuccessThreshold ?? 1,
            expected_status_codes = http ? spec.ExpectedStatusCodes ?? Array.Empty<int>() : null,
            check = pushed ? null : spec.Check,
            grace_seconds = kind == "heartbeat" ? spec.GraceSeconds ?? 60 : (int?)null,
            external_source = kind == "external" ? spec.ExternalSource : null,
        }, SnakeCase);
        var now = DateTimeOffset.UtcNow;
        await ExecuteAsync(created
            ? "insert into status.monitors (id, component_id, kind, settings, managed_by, created_at, updated_at, version) values ($1, $2, $3, $4::jsonb, 'api', $5, $5, $6)"
            : "update status.monitors set component_id = $2, kind = $3, settings = $4::jsonb, updated_at = $5, version = $6 where id = $1",
            id, spec.ComponentId, kind, settings, now, version);
        _monitorTokens[id] = pushed ? tokenSha256 : null;
        await ExecuteAsync("delete from status.heartbeat_monitors where monitor_id = $1", id);
        if (pushed && tokenSha256 is not null)
            await ExecuteAsync("insert into status.heartbeat_monitors (token_sha256, monitor_id, kind) values ($1, $2, $3)", tokenSha256, id,
                kind == "external" ? spec.ExternalSource : "heartbeat");
    }

    private async Task<string?> MonitorManagedByAsync(string id)
    {
        await using var command = database.CreateCommand("select managed_by from status.monitors where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync() as string;
    }
}
