namespace StatusPlatform.Contracts;

// Components, groups, incident templates and page settings written through the admin API. Components and groups that
// the configuration file defines stay the file's: commands that would change them are refused (the next start would
// put the file's version back), except the status override and incidents, which apply to every component.

/// <summary>Creates a component (or a group with IsGroup); the id is chosen by the caller or derived from the request.</summary>
public sealed record CreateComponent(
    string Actor,
    string Name,
    string? ComponentId = null,
    string? Description = null,
    string? GroupId = null,
    int? Position = null,
    bool IsGroup = false,
    bool Automation = true,
    string? Owner = null,
    bool Showcase = true,
    bool OnlyShowIfDegraded = false);

/// <summary>Changes what is given (null: unchanged). GroupId "" moves the component to the top level.</summary>
public sealed record UpdateComponent(
    string Actor,
    string ComponentId,
    string? Name = null,
    string? Description = null,
    string? GroupId = null,
    int? Position = null,
    bool? Automation = null,
    string? Owner = null,
    bool? Showcase = null,
    bool? OnlyShowIfDegraded = null,
    long? ExpectedVersion = null);

public sealed record DeleteComponent(string Actor, string ComponentId, long? ExpectedVersion = null);

/// <summary>A canned incident message; placeholders {component}, {components} and {page} are filled in when it is used.</summary>
public sealed record SaveIncidentTemplate(string Actor, string Name, string Title, string Body, string? TemplateId = null, string Status = "investigating",
    long? ExpectedVersion = null);

public sealed record DeleteIncidentTemplate(string Actor, string TemplateId, long? ExpectedVersion = null);
