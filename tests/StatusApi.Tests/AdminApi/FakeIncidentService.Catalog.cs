using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>
/// Components, groups, monitors and page settings, answered as Incident.Service's ComponentCommandsConsumer (and the
/// monitor and page consumers) do: components the test seeded straight into the read model count as the configuration
/// file's, so changing them is refused; those created through the API are the API's.
/// </summary>
public sealed partial class FakeIncidentService
{
    private readonly ConcurrentDictionary<string, bool> _apiManaged = new(StringComparer.Ordinal);

    /// <summary>Components whose next conditional update meets a concurrent change (as when a person edits them meanwhile).</summary>
    public ConcurrentDictionary<string, bool> ChangedMeanwhile { get; } = new(StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex IdPattern();

    private void AnswerCatalogCommands(IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        endpoint.Handler<CreateComponent>(context => Answer(context, CreateComponentAsync));
        endpoint.Handler<UpdateComponent>(context => Answer(context, UpdateComponentAsync));
        endpoint.Handler<DeleteComponent>(context => Answer(context, DeleteComponentAsync));
        endpoint.Handler<UpdatePageSettings>(context => Answer(context, UpdatePageAsync));
        AnswerMonitorCommands(endpoint);
    }

    private async Task<object?> CreateComponentAsync(CreateComponent command)
    {
        var id = command.ComponentId ?? $"cmp{Interlocked.Increment(ref _ids):D6}";
        var errors = new Dictionary<string, string[]>();
        if (!IdPattern().IsMatch(id))
            errors["component_id"] = ["lowercase letters, digits, '-' and '_', at most 63"];
        else if (await ComponentRowAsync(id) is not null)
            errors["component_id"] = [$"'{id}' already exists"];
        var name = command.Name.Trim();
        var position = command.Position ?? 1000;
        await ValidateAsync(errors, name, command.Description, position, command.GroupId, command.IsGroup, id);
        if (errors.Count > 0)
            return new CommandRejected("The command was refused; nothing was changed", errors);
        await ExecuteAsync("""
            insert into status.components (id, name, status, created_at, updated_at, position, description, showcase, group_id, is_group, only_show_if_degraded)
            values ($1, $2, 'operational', $3, $3, $4, $5, $6, $7, $8, $9)
            """, id, name, DateTimeOffset.UtcNow, position, command.Description, command.Showcase, command.GroupId, command.IsGroup, command.OnlyShowIfDegraded);
        _apiManaged[id] = true;
        return new CommandAccepted(id, _versions[id] = 1);
    }

    private async Task<object?> UpdateComponentAsync(UpdateComponent command)
    {
        if (await ComponentRowAsync(command.ComponentId) is not { } row)
            return NotFoundComponent(command.ComponentId);
        var version = _versions.GetOrAdd(command.ComponentId, 3);
        if (command.ExpectedVersion is { } expected && (expected != version || ChangedMeanwhile.TryRemove(command.ComponentId, out _)))
            return new CommandConflict(command.ComponentId, expected, version);
        if (!_apiManaged.ContainsKey(command.ComponentId))
            return FileManaged(command.ComponentId);
        var name = command.Name?.Trim() ?? row.Name;
        var description = command.Description ?? row.Description;
        var groupId = command.GroupId is null ? row.GroupId : string.IsNullOrWhiteSpace(command.GroupId) ? null : command.GroupId;
        var position = command.Position ?? row.Position;
        var showcase = command.Showcase ?? row.Showcase;
        var onlyIfDegraded = command.OnlyShowIfDegraded ?? row.OnlyShowIfDegraded;
        var errors = new Dictionary<string, string[]>();
        await ValidateAsync(errors, name, description, position, groupId, row.IsGroup, command.ComponentId);
        if (errors.Count > 0)
            return new CommandRejected("The command was refused; nothing was changed", errors);
        if ((name, description, groupId, position, showcase, onlyIfDegraded) == (row.Name, row.Description, row.GroupId, row.Position, row.Showcase, row.OnlyShowIfDegraded)
            && command.Owner is null && command.Automation is null)
            return new CommandAccepted(command.ComponentId, version);
        await ExecuteAsync("""
            update status.components set name = $2, description = $3, group_id = $4, position = $5, showcase = $6, only_show_if_degraded = $7, updated_at = $8
            where id = $1
            """, command.ComponentId, name, description, groupId, position, showcase, onlyIfDegraded, DateTimeOffset.UtcNow);
        return new CommandAccepted(command.ComponentId, _versions[command.ComponentId] = version + 1);
    }

    private async Task<object?> DeleteComponentAsync(DeleteComponent command)
    {
        if (await ComponentRowAsync(command.ComponentId) is null)
            return NotFoundComponent(command.ComponentId);
        var version = _versions.GetOrAdd(command.ComponentId, 3);
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(command.ComponentId, expected, version);
        if (!_apiManaged.ContainsKey(command.ComponentId))
            return FileManaged(command.ComponentId);
        await using (var children = database.CreateCommand("select count(*) from status.components where group_id = $1"))
        {
            children.Parameters.Add(new NpgsqlParameter { Value = command.ComponentId });
            if ((long)(await children.ExecuteScalarAsync())! > 0)
                return Rejected("component_id", "the group still has components: move or delete them first");
        }
        await ExecuteAsync("delete from status.components where id = $1", command.ComponentId);
        return new CommandAccepted(command.ComponentId, _versions[command.ComponentId] = version + 1);
    }

    /// <summary>As PageDecisions: null unchanged, "" clears an optional field; the row gets the page stream's version.</summary>
    private async Task<object?> UpdatePageAsync(UpdatePageSettings command)
    {
        var version = _versions.GetOrAdd("page", 0);
        if (command.ExpectedVersion is { } expected && expected != version)
            return new CommandConflict(AdminApiHost.PageId, expected, version);
        var errors = new Dictionary<string, string[]>();
        if (command.Name is { } name && name.Trim().Length is 0 or > 255)
            errors["name"] = ["is required, at most 255 characters"];
        if (command.Url is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            errors["url"] = [$"'{url}' is not an absolute URL"];
        if (command.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            errors["time_zone"] = [$"'{zone}' is not a known IANA time zone"];
        foreach (var (field, colour) in new[] { ("accent_color", command.AccentColor), ("accent_color_dark", command.AccentColorDark) })
        {
            if (colour is { Length: > 0 } && !ColourPattern().IsMatch(colour))
                errors[field] = [$"'{colour}' is not a colour like #0b5cad or #fff"];
        }
        if (command.CustomCss?.Contains('<', StringComparison.Ordinal) == true)
            errors["custom_css"] = ["must not contain '<'"];
        if (errors.Count > 0)
            return new CommandRejected("The command was refused; nothing was changed", errors);
        await ExecuteAsync("""
            update status.page set name = coalesce($2, name), url = coalesce($3, url), time_zone = coalesce($4, time_zone),
                logo_url = case when $5::text is null then logo_url else nullif($5, '') end,
                accent_color = case when $6::text is null then accent_color else nullif(lower($6), '') end,
                accent_color_dark = case when $7::text is null then accent_color_dark else nullif(lower($7), '') end,
                custom_css = case when $8::text is null then custom_css else nullif($8, '') end,
                version = $9, updated_at = $10
            where id = $1
            """, AdminApiHost.PageId, command.Name?.Trim(), command.Url, command.TimeZone, command.LogoUrl, command.AccentColor, command.AccentColorDark,
            command.CustomCss, version + 1, DateTimeOffset.UtcNow);
        return new CommandAccepted(AdminApiHost.PageId, _versions["page"] = version + 1);
    }

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex ColourPattern();

    private async Task ValidateAsync(Dictionary<string, string[]> errors, string name, string? description, int position, string? groupId, bool isGroup, string id)
    {
        if (name.Length is 0 or > 255)
            errors["name"] = ["is required, at most 255 characters"];
        if (description?.Length > 1000)
            errors["description"] = ["must be at most 1000 characters"];
        if (position is < 1 or > 10_000)
            errors["position"] = ["must be from 1 to 10000"];
        if (string.IsNullOrWhiteSpace(groupId))
            return;
        if (isGroup)
            errors["group_id"] = ["a group cannot be inside another group"];
        else if (groupId == id || await ComponentRowAsync(groupId) is not { IsGroup: true })
            errors["group_id"] = [$"'{groupId}' is not a group"];
    }

    private async Task<ComponentState?> ComponentRowAsync(string id)
    {
        await using var command = database.CreateCommand(
            "select name, description, group_id, position, showcase, only_show_if_degraded, is_group from status.components where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new ComponentState(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3), reader.GetBoolean(4), reader.GetBoolean(5), reader.GetBoolean(6))
            : null;
    }

    private static CommandRejected NotFoundComponent(string id) =>
        new($"No component '{id}'", new Dictionary<string, string[]> { ["component_id"] = [$"'{id}' does not exist"] }, NotFound: true);

    private static CommandRejected FileManaged(string id) =>
        Rejected("component_id", $"'{id}' is defined in the configuration file; change it there (the file is applied at every start)");

    private sealed record ComponentState(string Name, string? Description, string? GroupId, int Position, bool Showcase, bool OnlyShowIfDegraded, bool IsGroup);
}
