using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Components;

/// <summary>
/// Component groups under /api/v1/pages/{page_id}/component-groups (statuspage-api.md 2.5). A group is a component with
/// IsGroup; <c>components</c> sets its members: listed components move into it, members not listed move to the top level.
/// That is one command per component, so before anything changes every component to move is asked about (an empty
/// UpdateComponent, which Incident.Service refuses for components the configuration file defines and otherwise answers with
/// the stream version), and each move names that version; a move refused anyway (someone changed the component in between)
/// reverses the moves and the group change already applied, so a refused request changes nothing. Only Incident.Service
/// going away in the middle can leave part of a request applied; the 503 says to check.
/// </summary>
public static class ComponentGroupsApi
{
    private const string Wrapper = "component_group";

    public static RouteGroupBuilder MapComponentGroupsApi(this RouteGroupBuilder page)
    {
        page.MapGet("/component-groups", ListGroupsAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapPost("/component-groups", CreateGroupAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapGet("/component-groups/{group_id}", GetGroupAsync).RequireAuthorization(AdminPolicies.Read);
        page.MapMethods("/component-groups/{group_id}", [HttpMethods.Patch, HttpMethods.Put], UpdateGroupAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        page.MapDelete("/component-groups/{group_id}", DeleteGroupAsync).RequireAuthorization(AdminPolicies.ManageEverything);
        return page;
    }

    /// <summary>What a <c>{"component_group": {...}}</c> body asks for; null: not given.</summary>
    public sealed record GroupInput(string? Id, string? Name, string? Description, IReadOnlyList<string>? Components, int? Position);

    public static async Task<Results<Ok<List<AdminComponentGroup>>, ProblemHttpResult>> ListGroupsAsync(
        NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        var page = PageOf(context);
        var (total, groups) = await ComponentCatalog.ListAsync(dataSource, groups: true, (pageNumber - 1) * perPage, perPage, ct);
        WritePagingHeaders(context, pageNumber, perPage, total);
        return TypedResults.Ok(groups.Select(g => AdminWire.Group(g, page)).ToList());
    }

    public static async Task<Results<Ok<AdminComponentGroup>, ProblemHttpResult>> GetGroupAsync(
        string group_id, NpgsqlDataSource dataSource, HttpContext context, CancellationToken ct)
    {
        var id = Id(group_id);
        if (await ComponentCatalog.GetAsync(dataSource, id, ct) is not { Row.IsGroup: true } group)
            return AdminProblems.NotFound("component group", id);
        if (group.Version is { } version)
            context.Response.Headers.ETag = AdminProblems.ETag(version);
        return TypedResults.Ok(AdminWire.Group(group, PageOf(context)));
    }

    /// <summary><c>{"component_group": {"name": "Backend", "description": "...", "components": ["api", "db"], "position": 3}}</c>.</summary>
    public static async Task<Results<Created<AdminComponentGroup>, Accepted<CommandEcho>, ProblemHttpResult>> CreateGroupAsync(
        HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options, TimeProvider time,
        ILogger<CommandSequence> logger, CancellationToken ct)
    {
        var (input, error) = await ReadAsync(context.Request, ct);
        if (error is not null)
            return error;
        var members = input!.Components ?? [];
        var (components, errors) = await CheckMembersAsync(dataSource, members, groupId: null, ct);
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);

        var actor = Actor(context);
        var steps = new CommandSequence(service, logger);
        var moves = members.Select(m => (Component: components[m], GroupId: (string?)null)).ToList();
        if (await ProbeAsync(steps, moves, members, actor, ct) is { } refused)
            return refused;
        var answer = await steps.SendAsync(new CreateComponent(actor, input.Name ?? "", input.Id, input.Description, Position: input.Position, IsGroup: true),
            ct, created => new DeleteComponent(actor, created.Id, created.Version));
        if (CommandErrors.Problem(answer, context, "component group", input.Id ?? "", Wrapper, ComponentRequests.CreateFields) is { } problem)
            return problem;
        var accepted = (CommandAccepted)answer;
        if (await MoveAsync(steps, moves, accepted.Id, members, actor, ct) is { } moveRefused)
            return await ComponentsApi.UndoneAsync(steps, moveRefused);

        var page = PageOf(context);
        context.Response.Headers.ETag = AdminProblems.ETag(accepted.Version);
        var location = $"{context.Request.PathBase}/api/v1/pages/{page.Id}/component-groups/{accepted.Id}";
        ManagedComponent? shown = null;
        if (await WaitUntilShownAsync(async c => (shown = await ComponentCatalog.GetAsync(dataSource, accepted.Id, c)) is { } g
                && g.Children.Order(StringComparer.Ordinal).SequenceEqual(members.Order(StringComparer.Ordinal)), options.ReadModelWait, time, ct))
            return TypedResults.Created(location, AdminWire.Group(shown!, page));
        return TypedResults.Accepted(location, ComponentsApi.Echo(accepted, "component group"));
    }

    /// <summary>Changes name, description or position, and with <c>components</c> the members (PATCH and PUT alike).</summary>
    public static async Task<Results<Ok<AdminComponentGroup>, Accepted<CommandEcho>, ProblemHttpResult>> UpdateGroupAsync(
        string group_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, ILogger<CommandSequence> logger, CancellationToken ct)
    {
        var id = Id(group_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        var (input, error) = await ReadAsync(context.Request, ct);
        if (error is not null)
            return error;
        if (input!.Id is { } bodyId && bodyId != id)
            return AdminProblems.Invalid($"{Wrapper}.id", $"cannot be changed (the path names '{id}')");
        if (await ComponentCatalog.GetAsync(dataSource, id, ct) is not { Row.IsGroup: true } group)
            return AdminProblems.NotFound("component group", id);
        var members = input.Components ?? group.Children;
        var (components, errors) = await CheckMembersAsync(dataSource, members, id, ct);
        if (errors.Count > 0)
            return AdminProblems.Invalid(errors);

        var actor = Actor(context);
        var steps = new CommandSequence(service, logger);
        var update = ComponentRequests.ToUpdate(new ComponentInput(null, input.Name, input.Description, null, null, null, null, null, input.Position, false, null),
            group, actor, expected);
        var moves = members.Where(m => components[m].Row.GroupId != id).Select(m => (Component: components[m], GroupId: (string?)null))
            .Concat(group.Children.Except(members, StringComparer.Ordinal).Where(components.ContainsKey).Select(m => (Component: components[m], GroupId: (string?)"")))
            .ToList();
        if (await ProbeAsync(steps, moves, members, actor, ct) is { } refused)
            return refused;
        // If-Match is about the group: checked before anything moves, by the update itself or by an empty one.
        var check = update ?? (expected is null ? null : new UpdateComponent(actor, id, ExpectedVersion: expected));
        CommandAccepted? accepted = null;
        if (check is not null)
        {
            var answer = await steps.SendAsync(check, ct, applied => update is null ? null : ComponentRequests.Reverse(group, update, applied.Version));
            if (CommandErrors.Problem(answer, context, "component group", id, Wrapper, ComponentRequests.UpdateFields) is { } problem)
                return problem;
            accepted = (CommandAccepted)answer;
        }
        if (await MoveAsync(steps, moves, id, members, actor, ct) is { } moveRefused)
            return await ComponentsApi.UndoneAsync(steps, moveRefused);

        var page = PageOf(context);
        if ((accepted?.Version ?? group.Version) is { } version)
            context.Response.Headers.ETag = AdminProblems.ETag(version);
        ManagedComponent? shown = null;
        if (await WaitUntilShownAsync(async c => (shown = await ComponentCatalog.GetAsync(dataSource, id, c)) is { } g
                && (update is null || ComponentRequests.Shows(g, update, accepted!.Version))
                && g.Children.Order(StringComparer.Ordinal).SequenceEqual(members.Order(StringComparer.Ordinal)), options.ReadModelWait, time, ct))
            return TypedResults.Ok(AdminWire.Group(shown!, page));
        return TypedResults.Accepted($"{context.Request.PathBase}/api/v1/pages/{page.Id}/component-groups/{id}",
            ComponentsApi.Echo(accepted ?? new CommandAccepted(id, group.Version ?? 0), "component group"));
    }

    /// <summary>Deletes the group (204); its components move to the top level first, as on Statuspage.</summary>
    public static async Task<Results<NoContent, Accepted<CommandEcho>, ProblemHttpResult>> DeleteGroupAsync(
        string group_id, HttpContext context, NpgsqlDataSource dataSource, IncidentServiceClient service, AdminApiOptions options,
        TimeProvider time, ILogger<CommandSequence> logger, CancellationToken ct)
    {
        var id = Id(group_id);
        if (!AdminProblems.TryReadIfMatch(context.Request, out var expected, out var ifMatchError))
            return AdminProblems.Invalid("If-Match", ifMatchError!);
        if (await ComponentCatalog.GetAsync(dataSource, id, ct) is not { Row.IsGroup: true } group)
            return AdminProblems.NotFound("component group", id);
        var children = await ComponentCatalog.GetManyAsync(dataSource, group.Children, ct);
        var moves = children.Values.Select(c => (Component: c, GroupId: (string?)"")).ToList();

        var actor = Actor(context);
        var steps = new CommandSequence(service, logger);
        if (moves.Count > 0)
        {
            // The group's own refusals (If-Match, the configuration file) before any child moves.
            var check = await steps.SendAsync(new UpdateComponent(actor, id, ExpectedVersion: expected), ct);
            if (CommandErrors.Problem(check, context, "component group", id, Wrapper, ComponentRequests.UpdateFields) is { } problem)
                return problem;
            if (await ProbeAsync(steps, moves, [], actor, ct) is { } refused)
                return refused;
            if (await MoveAsync(steps, moves, id, [], actor, ct) is { } moveRefused)
                return await ComponentsApi.UndoneAsync(steps, moveRefused);
        }
        var answer = await steps.SendAsync(new DeleteComponent(actor, id, expected), ct);
        if (CommandErrors.Problem(answer, context, "component group", id, Wrapper, ComponentRequests.UpdateFields) is { } deleteRefused)
            return await ComponentsApi.UndoneAsync(steps, deleteRefused);
        if (await WaitUntilShownAsync(async c => await ComponentCatalog.GetAsync(dataSource, id, c) is null, options.ReadModelWait, time, ct))
            return TypedResults.NoContent();
        return TypedResults.Accepted((string?)null, ComponentsApi.Echo((CommandAccepted)answer, "component group"));
    }

    private static async Task<(GroupInput? Input, ProblemHttpResult? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<JsonElement?>(request, Wrapper, ct);
        if (error is not null)
            return (null, error);
        var root = body!.Value;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Wrapper, out var fields) || fields.ValueKind != JsonValueKind.Object)
            return (null, AdminProblems.Invalid(Wrapper, "is required: send {\"component_group\": {\"name\": \"...\", \"components\": [\"...\"]}}"));
        foreach (var property in root.EnumerateObject().Where(p => p.Name is not (Wrapper or "description")))
            errors[property.Name] = [$"is not understood here; the fields go inside \"{Wrapper}\""];
        foreach (var property in fields.EnumerateObject().Where(p => p.Name is not ("id" or "name" or "description" or "components" or "position")))
            errors[$"{Wrapper}.{property.Name}"] = ["is not a field of a component group"];
        var reader = new ComponentRequests.FieldReader(fields, Wrapper, errors);
        // Statuspage's spec puts description beside component_group; its clients send it inside too. Both are read.
        var outside = new ComponentRequests.FieldReader(root, Wrapper, errors).ClearableString("description");
        var inside = reader.ClearableString("description");
        if (outside is not null && inside is not null && outside != inside)
            errors["description"] = ["differs from component_group.description; send one"];
        var components = reader.Strings("components");
        foreach (var (member, i) in (components ?? []).Select((m, i) => (m, i)).Where(m => components!.Take(m.i).Contains(m.m, StringComparer.Ordinal)))
            errors[$"{Wrapper}.components[{i}]"] = [$"'{member}' is listed twice"];
        var input = new GroupInput(reader.Text("id"), reader.Text("name"), inside ?? outside, components, reader.WholeNumber("position"));
        return errors.Count > 0 ? (null, AdminProblems.Invalid(errors)) : (input, null);
    }

    /// <summary>Every listed member exists in the read model and is not a group; also loads the group's current members.</summary>
    private static async Task<(Dictionary<string, ManagedComponent> Components, Dictionary<string, string[]> Errors)> CheckMembersAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<string> members, string? groupId, CancellationToken ct)
    {
        var current = groupId is null ? [] : (await ComponentCatalog.GetAsync(dataSource, groupId, ct))?.Children ?? [];
        var components = await ComponentCatalog.GetManyAsync(dataSource, [.. members.Union(current, StringComparer.Ordinal)], ct);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (member, i) in members.Select((m, i) => (m, i)))
        {
            if (!components.TryGetValue(member, out var component))
                errors[$"{Wrapper}.components[{i}]"] = [$"'{member}' is not a component"];
            else if (component.Row.IsGroup)
                errors[$"{Wrapper}.components[{i}]"] = [$"'{member}' is a group; groups do not nest"];
        }
        return (components, errors);
    }

    /// <summary>
    /// Asks about every component to move with an empty UpdateComponent, which changes nothing: a refusal (a component the
    /// configuration file defines) answers the request before anything changes; an acceptance gives the version the move names.
    /// </summary>
    private static async Task<ProblemHttpResult?> ProbeAsync(
        CommandSequence steps, List<(ManagedComponent Component, string? GroupId)> moves, IReadOnlyList<string> members, string actor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < moves.Count; i++)
        {
            var id = moves[i].Component.Row.Id;
            switch (await steps.SendAsync(new UpdateComponent(actor, id), ct))
            {
                case CommandAccepted accepted:
                    moves[i] = (moves[i].Component with { Version = accepted.Version }, moves[i].GroupId);
                    break;
                case CommandRejected rejected:
                    errors[MemberPath(members, id)] = [.. rejected.Errors.SelectMany(e => e.Value).Select(m => $"'{id}' cannot move: {m}")];
                    break;
                case CommandConflict:
                    throw new InvalidOperationException("An update without an expected version answered with a conflict.");
            }
        }
        return errors.Count == 0 ? null : AdminProblems.Invalid(errors);
    }

    /// <summary>Moves each component (into <paramref name="groupId"/>, or out where the move says ""), each move reversible.</summary>
    private static async Task<ProblemHttpResult?> MoveAsync(
        CommandSequence steps, List<(ManagedComponent Component, string? GroupId)> moves, string groupId, IReadOnlyList<string> members, string actor,
        CancellationToken ct)
    {
        foreach (var (component, target) in moves)
        {
            var id = component.Row.Id;
            var answer = await steps.SendAsync(new UpdateComponent(actor, id, GroupId: target ?? groupId, ExpectedVersion: component.Version), ct,
                applied => new UpdateComponent(actor, id, GroupId: component.Row.GroupId ?? "", ExpectedVersion: applied.Version));
            var problem = answer switch
            {
                CommandAccepted => null,
                CommandConflict => $"'{id}' was changed by someone else meanwhile; nothing was changed, send the request again",
                CommandRejected rejected => $"'{id}' cannot move: {string.Join("; ", rejected.Errors.SelectMany(e => e.Value))}",
                _ => throw new InvalidOperationException("Unknown command answer."),
            };
            if (problem is not null)
                return AdminProblems.Invalid(MemberPath(members, id), problem);
        }
        return null;
    }

    // A member listed in the body is named by its index; one leaving the group is not in the list, so the list is named.
    private static string MemberPath(IReadOnlyList<string> members, string id) =>
        members.ToList().IndexOf(id) is var i and >= 0 ? $"{Wrapper}.components[{i}]" : $"{Wrapper}.components";
}
