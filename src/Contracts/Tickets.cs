namespace StatusPlatform.Contracts;

/// <summary>
/// Notify.Service opened a ticket (a JIRA issue) for an incident; Incident.Service records it on the incident.
/// Published at least once: the pair (IncidentId, TicketKey) identifies it.
/// </summary>
public sealed record IncidentTicketCreated(string IncidentId, string TicketKey, string Url);
