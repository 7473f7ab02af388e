using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Components;
using StatusPlatform.StatusApi.AdminApi.Keys;
using StatusPlatform.StatusApi.PublicApi;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Pages;

/// <summary>
/// The page's settings and branding, /api/v1/pages and /api/v1/pages/{page_id} (statuspage-api.md 2.10, with the fields
/// StatusPlatform has: name, url, time_zone, and its branding logo_url, accent_color, accent_color_dark, custom_css).
/// A change is Incident.Service's UpdatePageSettings; from then on the page is the admin API's and the configuration file's
/// page section no longer applies. The ETag is the page stream's version (status.page.version).
/// </summary>
public static class PageApi
{
    private const string Wrapper = "page";

    private static readonly string[] Settings = ["name", "url", "time_zone", "logo_url", "accent_color", "accent_color_dark", "custom_css"];

    // What may not be cleared: a page always has a name, an address and a time zone.
    private static readonly string[] Required = ["name", "url", "time_zone"];

    public static RouteGroupBuilder MapPagesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/pages", ListPagesAsync).RequireAuthorization(AdminPolicies.Read);
        return api;
    }

    public static RouteGroupBuilder MapPageApi(this RouteGroupBuilder page)
    {
        page.MapGet("", GetPageAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapMethods("", [HttpMethods.Patch, HttpMethods.Put], UpdatePageAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        return page;
    }

    /// <summary>Statuspage's list of pages: here always the one page this installation serves.</summary>
    public static async Task<Ok<List<AdminPageSettings>>> ListPagesAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select to_jsonb(p)::text from status.page p order by p.id");
        var pages = new List<AdminPageSettings>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            pages.Add(Read(reader.GetString(0)).Settings);
        return TypedResults.Ok(pages);
    }

    public static async Task<Results<Ok<AdminPageSettings>, ProblemHttpResult>> GetPageAsync(NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        var id = PageOf(context).Id;
        if (await ReadAsync(dataSource, id, ct) is not { } page)
            return AdminProblems.NotFound("page", id);
        if (page.Version > 0)
            context.Response.Headers.ETag = AdminProblems.ETag(page.Version);
        return TypedResults.Ok(page.Settings);
    }

    /// <summary>
    /// <c>{"page": {"name": "...", "url": "...", "time_zone": "Europe/Berlin", "logo_url": "/logo.svg", "accent_color": "#0b5cad",
    /// "accent_color_dark": "#6ea8fe", "custom_css": "..."}}</c>: what is given changes, null or "" clears a branding field.
    /// </summary>
    public static async Task<Results<Ok<AdminPageSettings>, Accepted<CommandEcho>, ProblemHttpResult>> UpdatePageAsync(
        HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options, TimeProvider time, CancellationToken ct)
    {
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (body, error) = await ReadBodyAsync<JsonElement?>(context.Request, Wrapper, ct);
        if (error is not null)
            return error;
        var (values, errors) = ReadBody(body!.Value);
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);

        var id = PageOf(context).Id;
        var command = new UpdatePageSettings(Actor(context), values.GetValueOrDefault("name"), values.GetValueOrDefault("url"), values.GetValueOrDefault("time_zone"),
            values.GetValueOrDefault("logo_url"), values.GetValueOrDefault("accent_color"), values.GetValueOrDefault("accent_color_dark"),
            values.GetValueOrDefault("custom_css"), expected);
        var answer = await service.SendAsync(command, ct);
        if (CommandErrors.Problem(answer, context, "page", id, Wrapper) is { } refused)
            return refused;
        var accepted = (CommandAccepted)answer;
        context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
        PageRead? shown = null;
        if (await WaitUntilShownAsync(async c => (shown = await ReadAsync(dataSource, id, c)) is { } page && Shows(page, values, accepted.Version),
                options.ReadModelWait, time, ct))
            return TypedResults.Ok(shown!.Settings);
        return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{id}", ComponentsApi.Echo(accepted, "page"));
    }

    /// <summary>The settings the body gives, by field name ("" clears), or field errors.</summary>
    private static (Dictionary<string, string> Values, Dictionary<string, string[]> Errors) ReadBody(JsonElement body)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(Wrapper, out var fields) || fields.ValueKind != JsonValueKind.Object)
        {
            errors[Wrapper] = ["is required: send {\"page\": {\"name\": \"...\", ...}}"];
            return (values, errors);
        }
        foreach (var property in body.EnumerateObject().Where(p => p.Name != Wrapper))
            errors[property.Name] = [$"is not understood here; the fields go inside \"{Wrapper}\""];
        foreach (var property in fields.EnumerateObject())
        {
            var path = $"{Wrapper}.{property.Name}";
            if (!Settings.Contains(property.Name))
                errors[path] = [property.Name is "id" or "created_at" or "updated_at" ? "cannot be changed" : "is not a page setting StatusPlatform has"];
            else if (property.Value.ValueKind == JsonValueKind.String)
                values[property.Name] = property.Value.GetString()!;
            else if (property.Value.ValueKind == JsonValueKind.Null && !Required.Contains(property.Name))
                values[property.Name] = "";
            else
                errors[path] = [Required.Contains(property.Name) ? "must be a string (it cannot be cleared)" : "must be a string, or null to clear it"];
        }
        foreach (var name in Required.Where(n => values.GetValueOrDefault(n) is { } v && string.IsNullOrWhiteSpace(v)))
            errors[$"{Wrapper}.{name}"] = ["cannot be cleared"];
        return (values, errors);
    }

    private static bool Shows(PageRead page, Dictionary<string, string> sent, long version) => page.Version > 0
        ? page.Version >= version
        : sent.All(s => !page.Fields.TryGetProperty(s.Key, out var value)
            || string.Equals(value.ValueKind == JsonValueKind.String ? value.GetString() : "", s.Value.Trim(), StringComparison.OrdinalIgnoreCase));

    private static async Task<PageRead?> ReadAsync(NpgsqlDataSource dataSource, string id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select to_jsonb(p)::text from status.page p where p.id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        return await command.ExecuteScalarAsync(ct) is string json ? Read(json) : null;
    }

    // Through to_jsonb: the branding columns and the version exist once Incident.Service has migrated its schema; before
    // that they read as null.
    private static PageRead Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var row = document.RootElement.Clone();
        string? Text(string name) => row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var zone = Timestamps.FindZone(Text("time_zone") ?? "Etc/UTC");
        var updatedAt = row.GetProperty("updated_at").GetDateTimeOffset();
        var version = row.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
        return new PageRead(new AdminPageSettings(Text("id")!, Text("name")!, Text("url")!, Text("time_zone")!,
            Timestamps.Format(Timestamps.InZone(updatedAt, zone)), Text("logo_url"), Text("accent_color"), Text("accent_color_dark"), Text("custom_css")), version, row);
    }

    private sealed record PageRead(AdminPageSettings Settings, long Version, JsonElement Fields);
}

/// <summary>Manage API Page, with the fields StatusPlatform has; the branding fields are null when the page uses the defaults.</summary>
public sealed record AdminPageSettings(
    string Id, string Name, string Url, string TimeZone, string UpdatedAt, string? LogoUrl, string? AccentColor, string? AccentColorDark, string? CustomCss);
