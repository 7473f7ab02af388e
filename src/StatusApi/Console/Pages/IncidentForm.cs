using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Incidents;
using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>A component an incident may affect, named with its group ("Backend › API").</summary>
public sealed record ComponentChoice(string Id, string Label, string Status);

/// <summary>
/// What the incident and update forms carry: a name, a status, a Markdown body, a status per affected component
/// (component.{id}; empty means not affected) and whether to notify subscribers. Turned into the admin API's request
/// fields so that the console and /api/v1 map a request to a command the same way (IncidentRequests).
/// </summary>
public sealed record IncidentInput(string Name, string Status, string Body, IReadOnlyDictionary<string, string> Components, bool Deliver, string? TemplateId)
{
    public const string ComponentPrefix = "component.";

    public static readonly string[] OpenStatuses = [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring];

    public static readonly string[] ComponentStatuses =
        [ComponentStatus.Operational, ComponentStatus.DegradedPerformance, ComponentStatus.PartialOutage, ComponentStatus.MajorOutage, ComponentStatus.UnderMaintenance];

    public static IncidentInput From(IFormCollection form, string defaultStatus) => new(
        form["name"].ToString().Trim(),
        form["status"].ToString() is { Length: > 0 } status ? status : defaultStatus,
        form["body"].ToString(),
        form.Keys.Where(k => k.StartsWith(ComponentPrefix, StringComparison.Ordinal) && form[k].ToString().Length > 0)
            .ToDictionary(k => k[ComponentPrefix.Length..], k => form[k].ToString(), StringComparer.Ordinal),
        form["deliver"] == "true",
        form["template"].ToString() is { Length: > 0 } template ? template : null);

    /// <summary>{component}, {components} and {page} as Incident.Service fills them in automatic incidents.</summary>
    public string Fill(string text, IReadOnlyList<ComponentChoice> choices, string pageName)
    {
        var names = Components.Keys.Select(id => choices.FirstOrDefault(c => c.Id == id)?.Label ?? id).ToList();
        return text.Replace("{components}", string.Join(", ", names), StringComparison.Ordinal)
            .Replace("{component}", names.FirstOrDefault() ?? "", StringComparison.Ordinal)
            .Replace("{page}", pageName, StringComparison.Ordinal);
    }

    public IncidentEnvelope Envelope(IReadOnlyList<ComponentChoice> choices, string pageName, bool includeName) => new()
    {
        Incident = new IncidentFields
        {
            Name = includeName ? Fill(Name, choices, pageName) : null,
            Status = Status,
            Body = Fill(Body, choices, pageName),
            Components = Components.Count == 0 ? null : new Dictionary<string, string>(Components),
            DeliverNotifications = Deliver,
        },
    };

    /// <summary>Incident.Service's and IncidentRequests' field names ("incident.components.api") as the form's.</summary>
    public static Dictionary<string, string[]> FormErrors(IReadOnlyDictionary<string, string[]> errors) => errors.ToDictionary(
        e => e.Key.StartsWith("incident.", StringComparison.Ordinal) ? e.Key["incident.".Length..] : e.Key, e => e.Value, StringComparer.Ordinal);

    public static List<ComponentChoice> Choices(IReadOnlyList<ComponentRow> components)
    {
        var groups = components.Where(c => c.IsGroup).ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        return [.. components.Where(c => !c.IsGroup).Select(c => new ComponentChoice(c.Id,
            c.GroupId is not null && groups.TryGetValue(c.GroupId, out var group) ? $"{group} › {c.Name}" : c.Name, c.Status))];
    }
}
