using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.AdminApi.Pages;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Monitors;

/// <summary>
/// Monitors under /api/v1/pages/{page_id}/monitors (StatusPlatform's, not Statuspage's): Incident.Service's CreateMonitor,
/// UpdateMonitor and DeleteMonitor, read from status.monitors. For heartbeat and external monitors this API makes the
/// secret (32 random bytes, base64url), sends only its SHA-256, and shows the secret and the URL to push to once, in the
/// answer that made it (creation, or a change with rotate_token); GET never shows them, and nothing stores them. Monitors
/// the configuration file defines are the file's: Incident.Service refuses changes to them with the reason.
/// </summary>
public static class MonitorsApi
{
    private const string Wrapper = "monitor";

    private static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static RouteGroupBuilder MapMonitorsApi(this RouteGroupBuilder page)
    {
        page.MapGet("/monitors", ListMonitorsAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapPost("/monitors", CreateMonitorAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapGet("/monitors/{monitor_id}", GetMonitorAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapPatch("/monitors/{monitor_id}", PatchMonitorAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapPut("/monitors/{monitor_id}", PutMonitorAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapDelete("/monitors/{monitor_id}", DeleteMonitorAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        return page;
    }

    /// <summary>Monitors by id; <c>component_id</c> keeps those of one component.</summary>
    public static async Task<Results<Ok<List<AdminMonitor>>, ProblemHttpResult>> ListMonitorsAsync(
        string? component_id, NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        var page = PageOf(context);
        await using var command = dataSource.CreateCommand($"""
            select {Columns}, count(*) over ()::int from status.monitors m where ($1::text is null or m.component_id = $1)
            order by m.id collate "C" offset $2 limit $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)component_id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (pageNumber - 1) * perPage });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = perPage });
        var monitors = new List<AdminMonitor>();
        var total = -1;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                monitors.Add(Read(reader, page).Monitor);
                total = reader.GetInt32(8);
            }
        }
        if (total < 0)
        {
            await using var count = dataSource.CreateCommand("select count(*)::int from status.monitors where ($1::text is null or component_id = $1)");
            count.Parameters.Add(new NpgsqlParameter { Value = (object?)component_id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            total = (int)(await count.ExecuteScalarAsync(ct))!;
        }
        WritePagingHeaders(context, pageNumber, perPage, total);
        return TypedResults.Ok(monitors);
    }

    public static async Task<Results<Ok<AdminMonitor>, ProblemHttpResult>> GetMonitorAsync(
        string monitor_id, NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        var id = Id(monitor_id);
        if (await FindAsync(dataSource, id, PageOf(context), ct) is not { } found)
            return AdminProblems.NotFound("monitor", id);
        context.Response.Headers.ETag = AdminProblems.ETag(found.Version);
        return TypedResults.Ok(found.Monitor);
    }

    /// <summary>
    /// <c>{"monitor": {"id": "api-health", "component_id": "api", "kind": "http", "target": "https://api.example.org/health",
    /// "interval_seconds": 30, "expected_status_codes": [200], "check": {"keyword_present": "ok"}}}</c>. A heartbeat or
    /// external monitor's answer carries <c>token</c> and <c>push_url</c>, this once.
    /// </summary>
    public static async Task<Results<Created<AdminMonitor>, Accepted<MonitorEcho>, ProblemHttpResult>> CreateMonitorAsync(
        HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<MonitorEnvelope>(context.Request, Wrapper, ct);
        if (error is not null)
            return error;
        var errors = MonitorRequests.Shape(body!, creating: true);
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);
        var fields = body!.Monitor!;
        var token = MonitorRequests.IsPushed(fields.Kind) ? MonitorRequests.NewToken() : null;
        var answer = await service.SendAsync(new CreateMonitor(Actor(context), MonitorRequests.ToSpec(fields, token is null ? null : MonitorRequests.Hash(token)),
            fields.Id), ct);
        if (CommandErrors.Problem(answer, context, "monitor", fields.Id ?? "", Wrapper, MonitorRequests.Fields) is { } refused)
            return refused;

        var accepted = (CommandAccepted)answer;
        var page = PageOf(context);
        var pushUrl = token is null ? null : MonitorRequests.PushUrl(context.Request, fields.Kind!.Trim(), fields.ExternalSource?.Trim(), token);
        ShowSecretOnce(context, token);
        context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
        var location = $"{context.Request.PathBase}/api/v1/pages/{page.Id}/monitors/{accepted.Id}";
        if (await ShownAsync(dataSource, accepted, page, options, time, ct) is { } shown)
            return TypedResults.Created(location, shown with { Token = token, PushUrl = pushUrl });
        return TypedResults.Accepted(location, new MonitorEcho(accepted.Id, accepted.Version, Pending("monitor"), token, pushUrl));
    }

    /// <summary>
    /// Changes what the body gives. <c>rotate_token: true</c> gives a heartbeat or external monitor a new secret (the old URL
    /// stops working); a monitor that becomes one gets one.
    /// </summary>
    public static Task<Results<Ok<AdminMonitor>, Accepted<MonitorEcho>, ProblemHttpResult>> PatchMonitorAsync(
        string monitor_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, CancellationToken ct) => UpdateMonitorAsync(monitor_id, merge: true, context, dataSource, service, options, time, ct);

    /// <summary>Replaces the settings: what the body leaves out takes the default (rotate_token as for PATCH).</summary>
    public static Task<Results<Ok<AdminMonitor>, Accepted<MonitorEcho>, ProblemHttpResult>> PutMonitorAsync(
        string monitor_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, CancellationToken ct) => UpdateMonitorAsync(monitor_id, merge: false, context, dataSource, service, options, time, ct);

    private static async Task<Results<Ok<AdminMonitor>, Accepted<MonitorEcho>, ProblemHttpResult>> UpdateMonitorAsync(
        string monitor_id, bool merge, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var id = Id(monitor_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadBodyAsync<MonitorEnvelope>(context.Request, Wrapper, ct);
        if (error is not null)
            return error;
        var errors = MonitorRequests.Shape(body!, creating: false);
        if (body!.Monitor?.Id is { } bodyId && bodyId != id)
            errors["monitor.id"] = [$"cannot be changed (the path names '{id}')"];
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);
        var page = PageOf(context);
        if (await FindAsync(dataSource, id, page, ct) is not { } current)
            return AdminProblems.NotFound("monitor", id);

        var fields = merge ? MonitorRequests.Merge(body.Monitor!, current.Fields) : body.Monitor!;
        var pushed = MonitorRequests.IsPushed(fields.Kind);
        if (fields.RotateToken == true && !pushed)
            return AdminProblems.Invalid("monitor.rotate_token", "only heartbeat and external monitors have a secret");
        var token = pushed && (fields.RotateToken == true || !MonitorRequests.IsPushed(current.Fields.Kind)) ? MonitorRequests.NewToken() : null;
        var answer = await service.SendAsync(new UpdateMonitor(Actor(context), id, MonitorRequests.ToSpec(fields, token is null ? null : MonitorRequests.Hash(token)),
            expected), ct);
        if (CommandErrors.Problem(answer, context, "monitor", id, Wrapper, MonitorRequests.UpdateFields) is { } refused)
            return refused;

        var accepted = (CommandAccepted)answer;
        var pushUrl = token is null ? null : MonitorRequests.PushUrl(context.Request, fields.Kind!.Trim(), fields.ExternalSource?.Trim(), token);
        ShowSecretOnce(context, token);
        context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
        if (await ShownAsync(dataSource, accepted, page, options, time, ct) is { } shown)
            return TypedResults.Ok(shown with { Token = token, PushUrl = pushUrl });
        return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{page.Id}/monitors/{id}",
            new MonitorEcho(accepted.Id, accepted.Version, Pending("change"), token, pushUrl));
    }

    /// <summary>Removes the monitor (204): probes stop checking it, and a pushed monitor's URL stops working.</summary>
    public static async Task<Results<NoContent, Accepted<MonitorEcho>, ProblemHttpResult>> DeleteMonitorAsync(
        string monitor_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var id = Id(monitor_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var page = PageOf(context);
        if (await FindAsync(dataSource, id, page, ct) is null)
            return AdminProblems.NotFound("monitor", id);
        var answer = await service.SendAsync(new DeleteMonitor(Actor(context), id, expected), ct);
        if (CommandErrors.Problem(answer, context, "monitor", id, Wrapper, MonitorRequests.UpdateFields) is { } refused)
            return refused;
        var accepted = (CommandAccepted)answer;
        if (await WaitUntilShownAsync(async c => await FindAsync(dataSource, id, page, c) is null, options.ReadModelWait, time, ct))
            return TypedResults.NoContent();
        return TypedResults.Accepted((string?)null, new MonitorEcho(accepted.Id, accepted.Version, Pending("deletion"), null, null));
    }

    private const string Columns = "m.id, m.component_id, m.kind, m.settings::text, m.managed_by, m.created_at, m.updated_at, m.version";

    private static async Task<FoundMonitor?> FindAsync(NpgsqlDataSource dataSource, string id, AdminPage page, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from status.monitors m where m.id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader, page) : null;
    }

    /// <summary>The monitor once the read model holds the accepted version, or null when it did not in time.</summary>
    private static async Task<AdminMonitor?> ShownAsync(
        NpgsqlDataSource dataSource, CommandAccepted accepted, AdminPage page, AdminApiOptions options, TimeProvider time, CancellationToken ct)
    {
        FoundMonitor? shown = null;
        return await WaitUntilShownAsync(async c => (shown = await FindAsync(dataSource, accepted.Id, page, c)) is { } m && m.Version >= accepted.Version,
            options.ReadModelWait, time, ct) ? shown!.Monitor : null;
    }

    private static FoundMonitor Read(NpgsqlDataReader r, AdminPage page)
    {
        var fields = JsonSerializer.Deserialize<MonitorFields>(r.GetString(3), SettingsJson) ?? new MonitorFields();
        var monitor = new AdminMonitor(r.GetString(0), page.Id, r.GetString(1), r.GetString(2), fields.Target, fields.Method, fields.IntervalSeconds,
            fields.TimeoutSeconds, fields.FailureThreshold, fields.SuccessThreshold, fields.ExpectedStatusCodes, fields.Check, fields.GraceSeconds,
            fields.ExternalSource, r.GetString(4), AdminWire.At(r.GetFieldValue<DateTimeOffset>(5), page), AdminWire.At(r.GetFieldValue<DateTimeOffset>(6), page));
        return new FoundMonitor(monitor, fields, r.GetInt64(7));
    }

    // A secret in an answer must not sit in a shared cache or the browser's.
    private static void ShowSecretOnce(HttpContext context, string? token)
    {
        if (token is not null)
            context.Response.Headers.CacheControl = "no-store";
    }

    private static string Pending(string what) =>
        $"Incident.Service applied the {what}; the read model did not show it yet. GET the monitor shortly (the secret, if any, is shown only here).";

    private sealed record FoundMonitor(AdminMonitor Monitor, MonitorFields Fields, long Version);
}

/// <summary>A monitor as the admin API shows it; <c>token</c> and <c>push_url</c> only in the answer that made the secret.</summary>
public sealed record AdminMonitor(
    string Id, string PageId, string ComponentId, string Kind, string? Target, string? Method, int? IntervalSeconds, int? TimeoutSeconds,
    int? FailureThreshold, int? SuccessThreshold, IReadOnlyList<int>? ExpectedStatusCodes, CheckFields? Check, int? GraceSeconds, string? ExternalSource,
    string ManagedBy, string CreatedAt, string UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PushUrl = null);

/// <summary>An accepted write the read model did not show in time (202), with the secret when the write made one.</summary>
public sealed record MonitorEcho(
    string Id, long Version, string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PushUrl);
