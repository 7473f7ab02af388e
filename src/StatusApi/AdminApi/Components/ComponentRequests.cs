using System.Text.Json;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.AdminApi.Components;

/// <summary>
/// What a <c>{"component": {...}}</c> body asks for. Null means "not in the body". A status of "" asks to lift the manual
/// override (<see cref="StatusGiven"/> tells it from a missing one); description, group_id and owner null clear the value.
/// </summary>
public sealed record ComponentInput(
    string? Id, string? Name, string? Description, string? GroupId, bool? Showcase, bool? OnlyShowIfDegraded, bool? Automation,
    string? Owner, int? Position, bool StatusGiven, string? Status);

/// <summary>Reads component bodies by hand: a missing field, null and "" mean different things, and unknown fields are refused by name.</summary>
public static class ComponentRequests
{
    public static readonly string[] Statuses =
        [ComponentStatus.Operational, ComponentStatus.UnderMaintenance, ComponentStatus.DegradedPerformance, ComponentStatus.PartialOutage, ComponentStatus.MajorOutage];

    /// <summary>How Incident.Service's field names read in a component body.</summary>
    public static readonly IReadOnlyDictionary<string, string> CreateFields = new Dictionary<string, string> { ["component_id"] = "id" };

    /// <summary>For an existing component, a refusal naming it (defined in the configuration file) is about the component as a whole.</summary>
    public static readonly IReadOnlyDictionary<string, string> UpdateFields = new Dictionary<string, string> { ["component_id"] = "" };

    public static (ComponentInput? Input, Dictionary<string, string[]> Errors) Read(JsonElement body, string wrapper = "component")
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(wrapper, out var fields) || fields.ValueKind != JsonValueKind.Object)
        {
            errors[wrapper] = [$"is required: send {{\"{wrapper}\": {{\"name\": \"...\", ...}}}}"];
            return (null, errors);
        }
        foreach (var property in body.EnumerateObject().Where(p => p.Name != wrapper))
            errors[property.Name] = [$"is not understood here; the fields go inside \"{wrapper}\""];
        var reader = new FieldReader(fields, wrapper, errors);
        foreach (var property in fields.EnumerateObject())
        {
            string[]? problem = property.Name switch
            {
                "id" or "name" or "description" or "group_id" or "showcase" or "only_show_if_degraded" or "automation" or "owner" or "position" or "status" => null,
                "start_date" when property.Value.ValueKind == JsonValueKind.Null => null,
                "start_date" => ["cannot be set: StatusPlatform dates a component by its recorded history"],
                "group" => ["cannot be set: create groups under /component-groups"],
                "automation_email" => ["is not supported: there is no email automation; monitors and the receivers set statuses"],
                _ => ["is not a field of a component"],
            };
            if (problem is not null)
                errors[$"{wrapper}.{property.Name}"] = problem;
        }

        var input = new ComponentInput(
            reader.Text("id"), reader.Text("name"), reader.ClearableString("description"), reader.ClearableString("group_id"),
            reader.Flag("showcase"), reader.Flag("only_show_if_degraded"), reader.Flag("automation"), reader.ClearableString("owner"),
            reader.WholeNumber("position"), fields.TryGetProperty("status", out _), reader.ClearableString("status"));
        if (input.Status is { Length: > 0 } status && !Statuses.Contains(status))
            errors[$"{wrapper}.status"] = [$"'{status}' is not one of {string.Join(", ", Statuses)}, or \"\" to lift the manual override"];
        return errors.Count == 0 ? (input, errors) : (null, errors);
    }

    public static CreateComponent ToCreate(ComponentInput input, string actor, bool isGroup = false) => new(
        actor, input.Name ?? "", input.Id, input.Description, string.IsNullOrEmpty(input.GroupId) ? null : input.GroupId, input.Position, isGroup,
        input.Automation ?? true, string.IsNullOrEmpty(input.Owner) ? null : input.Owner, input.Showcase ?? true, input.OnlyShowIfDegraded ?? false);

    /// <summary>
    /// The UpdateComponent for the fields that differ from what the component has, or null when none does: a client that
    /// sends the whole component back (as Statuspage clients do) with only its status changed sets only the override, which
    /// works for components the configuration file defines too. Owner and automation count as changes whenever they are
    /// given and the read model does not hold them.
    /// </summary>
    public static UpdateComponent? ToUpdate(ComponentInput input, ManagedComponent current, string actor, long? expected)
    {
        var row = current.Row;
        var name = input.Name is { } n && n.Trim() != row.Name ? n : null;
        var description = input.Description is { } d && d != (row.Description ?? "") ? d : null;
        var groupId = input.GroupId is { } g && g != (row.GroupId ?? "") ? g : null;
        var showcase = input.Showcase is { } s && s != row.Showcase ? s : (bool?)null;
        var onlyIfDegraded = input.OnlyShowIfDegraded is { } o && o != row.OnlyShowIfDegraded ? o : (bool?)null;
        var position = input.Position is { } p && p != row.Position ? p : (int?)null;
        var automation = input.Automation is { } a && a != current.Automation ? a : (bool?)null;
        var owner = input.Owner is { } w && w != (current.Owner ?? "") ? w : null;
        if ((name, description, groupId, showcase, onlyIfDegraded, position, automation, owner) == (null, null, null, null, null, null, null, null))
            return null;
        return new UpdateComponent(actor, row.Id, name, description, groupId, position, automation, owner, showcase, onlyIfDegraded, expected);
    }

    /// <summary>
    /// The update that puts back what <paramref name="sent"/> changed, conditional on the version it reached. Owner and
    /// automation go back only where the read model held them (else they stay as sent).
    /// </summary>
    public static UpdateComponent Reverse(ManagedComponent before, UpdateComponent sent, long version)
    {
        var row = before.Row;
        return new UpdateComponent(sent.Actor, row.Id,
            sent.Name is null ? null : row.Name,
            sent.Description is null ? null : row.Description ?? "",
            sent.GroupId is null ? null : row.GroupId ?? "",
            sent.Position is null ? null : row.Position,
            sent.Automation is null ? null : before.Automation,
            sent.Owner is null ? null : before.Owner ?? (before.Version is null ? null : ""),
            sent.Showcase is null ? null : row.Showcase,
            sent.OnlyShowIfDegraded is null ? null : row.OnlyShowIfDegraded,
            version);
    }

    /// <summary>Whether the read model shows an accepted update: by the stream version where it holds one, else by the fields.</summary>
    public static bool Shows(ManagedComponent? shown, UpdateComponent sent, long version) => shown is { } c && (c.Version is { } v
        ? v >= version
        : (sent.Name is null || c.Row.Name == sent.Name.Trim()) && (sent.Description is null || (c.Row.Description ?? "") == sent.Description)
          && (sent.GroupId is null || (c.Row.GroupId ?? "") == sent.GroupId.Trim()) && (sent.Position is null || c.Row.Position == sent.Position)
          && (sent.Showcase is null || c.Row.Showcase == sent.Showcase) && (sent.OnlyShowIfDegraded is null || c.Row.OnlyShowIfDegraded == sent.OnlyShowIfDegraded));

    /// <summary>Reads typed fields of one JSON object, recording a field error for a value of the wrong type.</summary>
    public sealed class FieldReader(JsonElement fields, string wrapper, Dictionary<string, string[]> errors)
    {
        public string? Text(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            _ => Wrong(name, "must be a string"),
        };

        /// <summary>A string where null means "clear it": read as "".</summary>
        public string? ClearableString(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Null } => "",
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            _ => Wrong(name, "must be a string or null"),
        };

        public bool? Flag(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => Wrong<bool?>(name, "must be true or false"),
        };

        public int? WholeNumber(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
            _ => Wrong<int?>(name, "must be a whole number"),
        };

        /// <summary>A list of strings; null when missing or null.</summary>
        public List<string>? Strings(string name)
        {
            if (Get(name) is not { } value || value.ValueKind == JsonValueKind.Null)
                return null;
            if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                return [.. value.EnumerateArray().Select(e => e.GetString()!)];
            return Wrong<List<string>?>(name, "must be a list of strings");
        }

        /// <summary>The raw value, or null when the field is missing.</summary>
        public JsonElement? Get(string name) => fields.TryGetProperty(name, out var value) ? value : null;

        private string? Wrong(string name, string problem) => Wrong<string?>(name, problem);

        private T Wrong<T>(string name, string problem)
        {
            errors[$"{wrapper}.{name}"] = [problem];
            return default!;
        }
    }
}
