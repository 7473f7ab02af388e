using System.Globalization;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.AdminApi.Components;
using StatusPlatform.StatusApi.Console.Components;
using StatusPlatform.StatusApi.Console.Reading;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// Components and groups: the list, and (admin) creating, changing (name, description, position, group, showcase, only
/// when degraded, owner, automation) and deleting them with Incident.Service's CreateComponent, UpdateComponent and
/// DeleteComponent, as /api/v1 does. An update sends only what the form changed (ComponentRequests.ToUpdate), conditional
/// on the version the form was opened at. Components the configuration file defines are shown read-only with the reason.
/// </summary>
public static class ComponentPages
{
    public static async Task<IResult> GetAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, string? edit = null, string? done = null)
    {
        var frame = await site.FrameAsync(context, "Components", done);
        var components = await catalog.ComponentsAsync(context.RequestAborted);
        var editing = edit is null ? null : components.FirstOrDefault(c => c.Component.Row.Id == edit);
        if (edit is not null && editing is null)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such component", $"There is no component '{edit}'.");
        var form = editing is null ? ComponentForm.New : ComponentForm.Of(editing);
        return await site.PageAsync<ComponentsPage>(new ComponentsModel(frame, components, editing, form, Empty));
    }

    public static async Task<IResult> PostCreateAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, IncidentServiceClient service)
    {
        var ct = context.RequestAborted;
        var form = ComponentForm.From(await context.Request.ReadFormAsync(ct), null);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var position = form.ReadPosition(errors);
        if (form.Name.Trim().Length == 0)
            errors["name"] = ["is required: it is what the page shows"];
        if (errors.Count == 0)
        {
            var command = new CreateComponent(ConsoleAuth.Actor(context), form.Name.Trim(), form.Id.Trim() is { Length: > 0 } id ? id : null,
                form.Description.Length == 0 ? null : form.Description, form.IsGroup || form.GroupId.Length == 0 ? null : form.GroupId, position, form.IsGroup,
                form.Automation, form.Owner.Trim() is { Length: > 0 } owner ? owner : null, form.Showcase, form.OnlyShowIfDegraded);
            switch (await service.SendAsync(command, ct))
            {
                case CommandAccepted accepted:
                    return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/components?edit={Uri.EscapeDataString(accepted.Id)}", "component");
                case CommandRejected rejected:
                    errors = Fields(rejected);
                    break;
                default:
                    throw new InvalidOperationException("Unexpected answer to CreateComponent.");
            }
        }
        var frame = await site.FrameAsync(context, "Components");
        return await site.PageAsync<ComponentsPage>(new ComponentsModel(frame, await catalog.ComponentsAsync(ct), null, form, errors),
            StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> PostUpdateAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, IncidentServiceClient service, string id)
    {
        var ct = context.RequestAborted;
        var components = await catalog.ComponentsAsync(ct);
        if (components.FirstOrDefault(c => c.Component.Row.Id == id) is not { } current)
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such component", $"There is no component '{id}'.");
        var form = ComponentForm.From(await context.Request.ReadFormAsync(ct), id);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var position = form.ReadPosition(errors);
        var status = StatusCodes.Status422UnprocessableEntity;
        if (errors.Count == 0)
        {
            var input = new ComponentInput(null, form.Name, form.Description, form.GroupId, form.Showcase, form.OnlyShowIfDegraded, form.Automation, form.Owner.Trim(),
                position, false, null);
            if (ComponentRequests.ToUpdate(input, current.Component, ConsoleAuth.Actor(context), form.Version > 0 ? form.Version : null) is not { } command)
                return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/components?edit={Uri.EscapeDataString(id)}", "unchanged");
            switch (await service.SendAsync(command, ct))
            {
                case CommandAccepted:
                    return ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/components?edit={Uri.EscapeDataString(id)}", "component");
                case CommandConflict:
                    errors["component_id"] = ["was changed by someone else while you edited it; nothing was saved. The form now shows the latest state: make your change again"];
                    status = StatusCodes.Status409Conflict;
                    components = await catalog.ComponentsAsync(ct);
                    current = components.FirstOrDefault(c => c.Component.Row.Id == id) ?? current;
                    form = ComponentForm.Of(current);
                    break;
                case CommandRejected { NotFound: true }:
                    return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such component", $"There is no component '{id}' (any more).");
                case CommandRejected rejected:
                    errors = Fields(rejected);
                    break;
                default:
                    throw new InvalidOperationException("Unexpected answer to UpdateComponent.");
            }
        }
        var frame = await site.FrameAsync(context, "Components");
        return await site.PageAsync<ComponentsPage>(new ComponentsModel(frame, components, current, form, errors), status);
    }

    public static async Task<IResult> PostDeleteAsync(HttpContext context, ConsoleSite site, CatalogReadModel catalog, IncidentServiceClient service, string id)
    {
        var ct = context.RequestAborted;
        var posted = await context.Request.ReadFormAsync(ct);
        long? expected = long.TryParse(posted["version"], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        var answer = await service.SendAsync(new DeleteComponent(ConsoleAuth.Actor(context), id, expected), ct);
        if (answer is CommandAccepted)
            return ConsoleSite.SeeOther(ConsoleRoutes.Root + "/components", "deleted");
        if (answer is CommandRejected { NotFound: true })
            return await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such component", $"There is no component '{id}' (any more).");
        var errors = answer switch
        {
            CommandConflict => new Dictionary<string, string[]> { ["component_id"] = ["was changed by someone else meanwhile; nothing was deleted. Look at it again first"] },
            CommandRejected rejected => Fields(rejected),
            _ => throw new InvalidOperationException("Unexpected answer to DeleteComponent."),
        };
        var components = await catalog.ComponentsAsync(ct);
        var current = components.FirstOrDefault(c => c.Component.Row.Id == id);
        var frame = await site.FrameAsync(context, "Components");
        return await site.PageAsync<ComponentsPage>(new ComponentsModel(frame, components, current, current is null ? ComponentForm.New : ComponentForm.Of(current), errors),
            answer is CommandConflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Incident.Service's field names are the form's; a refusal without fields is about the component as a whole.</summary>
    private static Dictionary<string, string[]> Fields(CommandRejected rejected) => rejected.Errors.Count > 0
        ? new Dictionary<string, string[]>(rejected.Errors, StringComparer.Ordinal)
        : new Dictionary<string, string[]>(StringComparer.Ordinal) { ["component_id"] = [rejected.Title] };

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}

/// <summary>The component form as typed: text as given (so a refused form comes back as it was), flags as checked.</summary>
public sealed record ComponentForm(
    string? EditingId, string Id, string Name, string Description, string GroupId, string Position, string Owner, bool Automation, bool Showcase,
    bool OnlyShowIfDegraded, bool IsGroup, long Version)
{
    public static ComponentForm New { get; } = new(null, "", "", "", "", "", "", true, true, false, false, 0);

    public static ComponentForm Of(CatalogComponent c)
    {
        var row = c.Component.Row;
        return new(row.Id, row.Id, row.Name, row.Description ?? "", row.GroupId ?? "", row.Position.ToString(CultureInfo.InvariantCulture), c.Component.Owner ?? "",
            c.Component.Automation ?? true, row.Showcase, row.OnlyShowIfDegraded, row.IsGroup, c.Component.Version ?? 0);
    }

    public static ComponentForm From(IFormCollection form, string? editingId) => new(
        editingId, editingId ?? form["component_id"].ToString(), form["name"].ToString(), form["description"].ToString(), form["group_id"].ToString().Trim(),
        form["position"].ToString().Trim(), form["owner"].ToString(), form["automation"] == "true", form["showcase"] == "true",
        form["only_show_if_degraded"] == "true", form["is_group"] == "true",
        long.TryParse(form["version"], CultureInfo.InvariantCulture, out var version) ? version : 0);

    /// <summary>The position as a number (empty: unchanged on edit, the end on create), or an error for the field.</summary>
    public int? ReadPosition(Dictionary<string, string[]> errors)
    {
        if (Position.Length == 0)
            return null;
        if (int.TryParse(Position, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            return position;
        errors["position"] = [$"'{Position}' is not a whole number (1 is the top)"];
        return null;
    }
}

public sealed record ComponentsModel(
    ConsoleFrame Frame, IReadOnlyList<CatalogComponent> Components, CatalogComponent? Editing, ComponentForm Form, IReadOnlyDictionary<string, string[]> Errors);
