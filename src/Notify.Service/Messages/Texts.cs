using StatusPlatform.Contracts;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Messages;

/// <summary>The words of the message templates, in English and German; anything else falls back to English.</summary>
public sealed record Texts(
    string Culture,
    string Status,
    string Impact,
    string Opened,
    string Updated,
    string Resolved,
    string Published,
    string AffectedComponents,
    string ViewIncident,
    string Manage,
    string Unsubscribe,
    string Footer,
    string StillOngoing,
    string ConfirmSubject,
    string ConfirmBody,
    string ConfirmButton,
    string ConfirmIgnore,
    string AlreadySubject,
    string AlreadyBody,
    string PingText,
    IReadOnlyDictionary<string, string> Statuses)
{
    public static readonly Texts English = new(
        "en",
        "Status", "Impact", "Opened", "Updated", "Resolved", "Published", "Affected components:", "View the incident",
        "Manage your subscription", "Unsubscribe",
        "You receive this because you subscribed to updates about these components.",
        "This outage is still ongoing.",
        "Confirm your subscription to status updates",
        "Please confirm that you want to receive status updates at this address.",
        "Confirm subscription",
        "If you did not ask for this, ignore this message: nothing is sent until the subscription is confirmed.",
        "You are already subscribed to status updates",
        "This address already receives status updates. Use the link below to change or end the subscription.",
        "Status updates will be delivered here.",
        new Dictionary<string, string>
        {
            [IncidentStatus.Investigating] = "Investigating",
            [IncidentStatus.Identified] = "Identified",
            [IncidentStatus.Monitoring] = "Monitoring",
            [IncidentStatus.Resolved] = "Resolved",
            [IncidentStatus.Postmortem] = "Postmortem",
            [ComponentStatus.Operational] = "operational",
            [ComponentStatus.DegradedPerformance] = "degraded performance",
            [ComponentStatus.PartialOutage] = "partial outage",
            [ComponentStatus.MajorOutage] = "major outage",
            [ComponentStatus.UnderMaintenance] = "under maintenance",
            [MaintenanceStatus.Scheduled] = "Scheduled maintenance",
            [MaintenanceStatus.InProgress] = "Maintenance in progress",
            [MaintenanceStatus.Verifying] = "Maintenance verifying",
            [MaintenanceStatus.Completed] = "Maintenance completed",
            [NoticeKind.Cancelled] = "Maintenance cancelled",
            [NoticeKind.Reminder] = "Maintenance reminder",
        });

    public static readonly Texts German = new(
        "de",
        "Status", "Auswirkung", "Eröffnet", "Aktualisiert", "Behoben", "Veröffentlicht", "Betroffene Komponenten:", "Zum Vorfall",
        "Abonnement verwalten", "Abmelden",
        "Sie erhalten diese Nachricht, weil Sie Statusmeldungen zu diesen Komponenten abonniert haben.",
        "Diese Störung dauert noch an.",
        "Bitte bestätigen Sie Ihr Abonnement der Statusmeldungen",
        "Bitte bestätigen Sie, dass Sie Statusmeldungen an diese Adresse erhalten möchten.",
        "Abonnement bestätigen",
        "Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: ohne Bestätigung wird nichts gesendet.",
        "Sie haben die Statusmeldungen bereits abonniert",
        "Diese Adresse erhält bereits Statusmeldungen. Über den Link unten können Sie das Abonnement ändern oder beenden.",
        "Statusmeldungen werden hierhin gesendet.",
        new Dictionary<string, string>
        {
            [IncidentStatus.Investigating] = "Untersuchung",
            [IncidentStatus.Identified] = "Ursache gefunden",
            [IncidentStatus.Monitoring] = "Beobachtung",
            [IncidentStatus.Resolved] = "Behoben",
            [IncidentStatus.Postmortem] = "Nachbetrachtung",
            [ComponentStatus.Operational] = "in Betrieb",
            [ComponentStatus.DegradedPerformance] = "eingeschränkte Leistung",
            [ComponentStatus.PartialOutage] = "teilweiser Ausfall",
            [ComponentStatus.MajorOutage] = "schwerer Ausfall",
            [ComponentStatus.UnderMaintenance] = "in Wartung",
            [MaintenanceStatus.Scheduled] = "Geplante Wartung",
            [MaintenanceStatus.InProgress] = "Wartung läuft",
            [MaintenanceStatus.Verifying] = "Wartung wird geprüft",
            [MaintenanceStatus.Completed] = "Wartung abgeschlossen",
            [NoticeKind.Cancelled] = "Wartung abgesagt",
            [NoticeKind.Reminder] = "Erinnerung an Wartung",
            [IncidentImpact.None] = "keine",
            [IncidentImpact.Minor] = "gering",
            [IncidentImpact.Major] = "erheblich",
            [IncidentImpact.Critical] = "kritisch",
        });

    public static IReadOnlyList<string> Locales { get; } = ["en", "de"];

    public static Texts For(string? locale) => locale == "de" ? German : English;
}
