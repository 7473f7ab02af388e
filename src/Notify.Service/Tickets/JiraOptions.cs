namespace StatusPlatform.Notify.Tickets;

/// <summary>
/// JIRA (Notify:Jira): Cloud or Server/Data Center over REST v2. Unset BaseUrl or Project: no tickets. Owners maps a
/// component id to its owner (Cloud: account id, Server: user name) until incidents carry one (IncidentOpened has none).
/// </summary>
public sealed class JiraOptions
{
    public const string Section = "Notify:Jira";

    public string? BaseUrl { get; set; }

    public string? Project { get; set; }

    /// <summary>cloud (assignee by accountId, basic auth with email + API token) or server (assignee by name; basic auth, or a bearer personal access token when User is empty).</summary>
    public string Flavor { get; set; } = "cloud";

    public string? User { get; set; }

    public string? ApiToken { get; set; }

    public string IssueType { get; set; } = "Task";

    /// <summary>The transition that resolves an issue in the project's workflow (GET /rest/api/2/issue/{key}/transitions lists them).</summary>
    public string? ResolveTransitionId { get; set; }

    public List<string> Labels { get; set; } = [];

    public Dictionary<string, string> Owners { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl) && !string.IsNullOrWhiteSpace(Project);

    public bool IsCloud => !string.Equals(Flavor, "server", StringComparison.OrdinalIgnoreCase);

    public string? Problem() =>
        !Enabled ? null
        : !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _) ? "Notify:Jira:BaseUrl must be an absolute URL."
        : Flavor is not ("cloud" or "server") ? "Notify:Jira:Flavor must be cloud or server."
        : Labels.Concat(["statusplatform"]).FirstOrDefault(l => l.Any(char.IsWhiteSpace)) is { } bad ? $"Notify:Jira:Labels: '{bad}' has a space, which JIRA labels cannot."
        : null;
}
