using System.Globalization;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.StatusPage.Content;

/// <summary>Every word the HTML pages show, in one language (en, de), and how times are written in it.</summary>
public sealed class Texts
{
    public const string English = "en";
    public const string German = "de";

    public required string Lang { get; init; }
    public required CultureInfo Culture { get; init; }
    public required string TimeFormat { get; init; }
    public required string DayFormat { get; init; }
    public required string MonthFormat { get; init; }

    public required string SkipToContent { get; init; }
    public required string Components { get; init; }
    public required string ActiveIncidents { get; init; }
    public required string ActiveMaintenance { get; init; }
    public required string UpcomingMaintenance { get; init; }
    public required string PastIncidents { get; init; }
    public required string NoPastIncidents { get; init; }
    public required string IncidentHistory { get; init; }
    public required string NoIncidentsInMonth { get; init; }
    public required string OlderIncidents { get; init; }
    public required string NewerIncidents { get; init; }
    public required string BackToStatus { get; init; }
    public required string Subscribe { get; init; }
    public required string Language { get; init; }
    public required string UptimeDaysAgo { get; init; }
    public required string Today { get; init; }
    public required string UptimeOver { get; init; }
    public required string NoData { get; init; }
    public required string IncidentsThatDay { get; init; }
    public required string NoIncidentsThatDay { get; init; }
    public required string UptimeThatDay { get; init; }
    public required string Hours { get; init; }
    public required string Minutes { get; init; }
    public required string NotableDays { get; init; }
    public required string UptimeByDay { get; init; }
    public required string UptimeKeys { get; init; }
    public required string Affects { get; init; }
    public required string Scheduled { get; init; }
    public required string Impact { get; init; }
    public required string Postmortem { get; init; }
    public required string TimesIn { get; init; }
    public required string Stale { get; init; }
    public required string NotFoundTitle { get; init; }
    public required string IncidentNotFound { get; init; }
    public required string ComponentNotFound { get; init; }
    public required string Unavailable { get; init; }
    public required string TooManyRequests { get; init; }
    public required string SorryTitle { get; init; }
    public required string SorryOk { get; init; }
    public required string SorryMore { get; init; }

    public required string SubscribeTitle { get; init; }
    public required string SubscribeIntro { get; init; }
    public required string Channel { get; init; }
    public required string Address { get; init; }
    public required string AddressHint { get; init; }
    public required string WholePage { get; init; }
    public required string ChooseComponents { get; init; }
    public required string SubscribeButton { get; init; }
    public required string CheckYourMail { get; init; }
    public required string Subscribed { get; init; }
    public required string ManageLinkNote { get; init; }
    public required string WebhookSecretNote { get; init; }
    public required string ConfirmTitle { get; init; }
    public required string ConfirmButton { get; init; }
    public required string Confirmed { get; init; }
    public required string ManageTitle { get; init; }
    public required string SaveButton { get; init; }
    public required string Saved { get; init; }
    public required string NotConfirmedYet { get; init; }
    public required string Quarantined { get; init; }
    public required string UnsubscribeTitle { get; init; }
    public required string UnsubscribeButton { get; init; }
    public required string Unsubscribed { get; init; }
    public required string LinkInvalid { get; init; }
    public required string FormHasErrors { get; init; }

    public required IReadOnlyDictionary<string, string> Words { get; init; }

    /// <summary>A wire value (component status, incident status, impact, page description, channel) in this language; unknown ones as they are.</summary>
    public string Word(string value) => Words.TryGetValue(value, out var word) ? word : value;

    public string Time(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone).ToString(TimeFormat, Culture);

    public string Day(DateOnly day) => day.ToString(DayFormat, Culture);

    public string Month(DateOnly month) => month.ToString(MonthFormat, Culture);

    public string Percent(double fraction) => fraction.ToString("0.##%", Culture);

    /// <summary>A span of whole minutes: "45 min", "1 h 30 min", "2 h".</summary>
    public string Duration(int minutes)
    {
        var (hours, rest) = (minutes / 60, minutes % 60);
        var h = string.Format(Culture, Hours, hours);
        var m = string.Format(Culture, Minutes, rest);
        return hours == 0 ? m : rest == 0 ? h : $"{h} {m}";
    }

    public static Texts For(string lang) => lang == German ? De : En;

    public static readonly Texts En = new()
    {
        Lang = English,
        Culture = CultureInfo.GetCultureInfo("en-US"),
        TimeFormat = "MMM d, yyyy HH:mm",
        DayFormat = "MMM d, yyyy",
        MonthFormat = "MMMM yyyy",
        SkipToContent = "Skip to content",
        Components = "Components",
        ActiveIncidents = "Active incidents",
        ActiveMaintenance = "Maintenance in progress",
        UpcomingMaintenance = "Scheduled maintenance",
        PastIncidents = "Past incidents",
        NoPastIncidents = "No incidents in the past week.",
        IncidentHistory = "Incident history",
        NoIncidentsInMonth = "No incidents reported this month.",
        OlderIncidents = "Older incidents",
        NewerIncidents = "Newer incidents",
        BackToStatus = "Current status",
        Subscribe = "Subscribe to updates",
        Language = "Language",
        UptimeDaysAgo = "{0} days ago",
        Today = "Today",
        UptimeOver = "{0} uptime over the past {1} days",
        NoData = "No data",
        IncidentsThatDay = "Incidents",
        NoIncidentsThatDay = "No incidents",
        UptimeThatDay = "{0} uptime",
        Hours = "{0} h",
        Minutes = "{0} min",
        NotableDays = "Days with outages, maintenance or incidents: {0}",
        UptimeByDay = "{0}: uptime per day",
        UptimeKeys = "← → other days, Esc closes",
        Affects = "Affects",
        Scheduled = "Scheduled",
        Impact = "Impact",
        Postmortem = "Postmortem",
        TimesIn = "Times are shown in {0}.",
        Stale = "This page could not be refreshed since {0}; what you see may be out of date.",
        NotFoundTitle = "Not found",
        IncidentNotFound = "There is no incident with this address.",
        ComponentNotFound = "There is no component '{0}'.",
        Unavailable = "This page cannot be shown right now. Please try again in a moment.",
        TooManyRequests = "Too many requests from your address or to this address. Please try again in {0} minutes.",
        SorryTitle = "We are having a problem",
        SorryOk = "There is no known problem right now. Please try again.",
        SorryMore = "See the status page",
        SubscribeTitle = "Subscribe to updates",
        SubscribeIntro = "Get a message when an incident is opened, updated or resolved, or maintenance is scheduled.",
        Channel = "How should we reach you?",
        Address = "Address",
        AddressHint = "Email address, phone number in international format (+4930…), or the webhook URL.",
        WholePage = "Everything on this page",
        ChooseComponents = "Only these components",
        SubscribeButton = "Subscribe",
        CheckYourMail = "Almost done: we sent you an email. Follow its link to confirm the subscription.",
        Subscribed = "You are subscribed.",
        ManageLinkNote = "Keep this link to change or end the subscription later:",
        WebhookSecretNote = "Requests are signed with this secret (shown once):",
        ConfirmTitle = "Confirm your subscription",
        ConfirmButton = "Confirm subscription",
        Confirmed = "Your subscription is confirmed.",
        ManageTitle = "Your subscription",
        SaveButton = "Save",
        Saved = "Saved.",
        NotConfirmedYet = "Not confirmed yet: follow the link in the confirmation email.",
        Quarantined = "Messages to this address kept failing, so we stopped sending them. Save to start again.",
        UnsubscribeTitle = "Unsubscribe",
        UnsubscribeButton = "Unsubscribe",
        Unsubscribed = "You are unsubscribed and will get no more messages.",
        LinkInvalid = "This link is not valid (it may have expired, or the subscription has ended).",
        FormHasErrors = "Please correct the marked fields.",
        Words = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ComponentStatus.Operational] = "Operational",
            [ComponentStatus.DegradedPerformance] = "Degraded performance",
            [ComponentStatus.PartialOutage] = "Partial outage",
            [ComponentStatus.MajorOutage] = "Major outage",
            [ComponentStatus.UnderMaintenance] = "Under maintenance",
            [IncidentStatus.Investigating] = "Investigating",
            [IncidentStatus.Identified] = "Identified",
            [IncidentStatus.Monitoring] = "Monitoring",
            [IncidentStatus.Resolved] = "Resolved",
            [IncidentStatus.Postmortem] = "Postmortem",
            [MaintenanceStatus.Scheduled] = "Scheduled",
            [MaintenanceStatus.InProgress] = "In progress",
            [MaintenanceStatus.Verifying] = "Verifying",
            [MaintenanceStatus.Completed] = "Completed",
            ["cancelled"] = "Cancelled",
            ["impact:none"] = "None",
            ["impact:minor"] = "Minor",
            ["impact:major"] = "Major",
            ["impact:critical"] = "Critical",
            ["impact:maintenance"] = "Maintenance",
            [SubscriptionChannel.Email] = "Email",
            [SubscriptionChannel.Sms] = "SMS",
            [SubscriptionChannel.Webhook] = "Webhook",
            [SubscriptionChannel.Slack] = "Slack",
            [SubscriptionChannel.Teams] = "Microsoft Teams",
            [SubscriptionChannel.Discord] = "Discord",
            [SubscriptionChannel.Mattermost] = "Mattermost",
            [SubscriptionChannel.GoogleChat] = "Google Chat",
        },
    };

    public static readonly Texts De = new()
    {
        Lang = German,
        Culture = CultureInfo.GetCultureInfo("de-DE"),
        TimeFormat = "d. MMM yyyy, HH:mm",
        DayFormat = "d. MMM yyyy",
        MonthFormat = "MMMM yyyy",
        SkipToContent = "Zum Inhalt springen",
        Components = "Komponenten",
        ActiveIncidents = "Aktuelle Störungen",
        ActiveMaintenance = "Laufende Wartung",
        UpcomingMaintenance = "Geplante Wartung",
        PastIncidents = "Vergangene Störungen",
        NoPastIncidents = "Keine Störungen in der letzten Woche.",
        IncidentHistory = "Störungsverlauf",
        NoIncidentsInMonth = "Keine Störungen in diesem Monat.",
        OlderIncidents = "Ältere Störungen",
        NewerIncidents = "Neuere Störungen",
        BackToStatus = "Aktueller Status",
        Subscribe = "Benachrichtigungen abonnieren",
        Language = "Sprache",
        UptimeDaysAgo = "vor {0} Tagen",
        Today = "Heute",
        UptimeOver = "{0} Verfügbarkeit in den letzten {1} Tagen",
        NoData = "Keine Daten",
        IncidentsThatDay = "Störungen",
        NoIncidentsThatDay = "Keine Störungen",
        UptimeThatDay = "{0} Verfügbarkeit",
        Hours = "{0} Std.",
        Minutes = "{0} Min.",
        NotableDays = "Tage mit Ausfällen, Wartung oder Störungen: {0}",
        UptimeByDay = "{0}: Verfügbarkeit pro Tag",
        UptimeKeys = "← → andere Tage, Esc schließt",
        Affects = "Betrifft",
        Scheduled = "Geplant",
        Impact = "Auswirkung",
        Postmortem = "Nachbetrachtung",
        TimesIn = "Zeiten in {0}.",
        Stale = "Diese Seite konnte seit {0} nicht aktualisiert werden; der Stand ist womöglich veraltet.",
        NotFoundTitle = "Nicht gefunden",
        IncidentNotFound = "Unter dieser Adresse gibt es keine Störung.",
        ComponentNotFound = "Es gibt keine Komponente „{0}“.",
        Unavailable = "Diese Seite kann gerade nicht angezeigt werden. Bitte versuchen Sie es gleich noch einmal.",
        TooManyRequests = "Zu viele Anfragen von Ihrer Adresse oder an diese Adresse. Bitte versuchen Sie es in {0} Minuten noch einmal.",
        SorryTitle = "Wir haben ein Problem",
        SorryOk = "Zurzeit ist kein Problem bekannt. Bitte versuchen Sie es noch einmal.",
        SorryMore = "Zur Statusseite",
        SubscribeTitle = "Benachrichtigungen abonnieren",
        SubscribeIntro = "Erhalten Sie eine Nachricht, wenn eine Störung gemeldet, aktualisiert oder behoben oder eine Wartung geplant wird.",
        Channel = "Wie sollen wir Sie erreichen?",
        Address = "Adresse",
        AddressHint = "E-Mail-Adresse, Telefonnummer im internationalen Format (+4930…) oder die Webhook-URL.",
        WholePage = "Alles auf dieser Seite",
        ChooseComponents = "Nur diese Komponenten",
        SubscribeButton = "Abonnieren",
        CheckYourMail = "Fast geschafft: Wir haben Ihnen eine E-Mail geschickt. Bestätigen Sie das Abonnement über den Link darin.",
        Subscribed = "Sie haben abonniert.",
        ManageLinkNote = "Mit diesem Link können Sie das Abonnement später ändern oder beenden:",
        WebhookSecretNote = "Anfragen werden mit diesem Geheimnis signiert (wird nur einmal angezeigt):",
        ConfirmTitle = "Abonnement bestätigen",
        ConfirmButton = "Abonnement bestätigen",
        Confirmed = "Ihr Abonnement ist bestätigt.",
        ManageTitle = "Ihr Abonnement",
        SaveButton = "Speichern",
        Saved = "Gespeichert.",
        NotConfirmedYet = "Noch nicht bestätigt: Folgen Sie dem Link in der Bestätigungs-E-Mail.",
        Quarantined = "Nachrichten an diese Adresse sind wiederholt fehlgeschlagen, daher senden wir keine mehr. Speichern Sie, um neu zu beginnen.",
        UnsubscribeTitle = "Abbestellen",
        UnsubscribeButton = "Abbestellen",
        Unsubscribed = "Sie haben abbestellt und erhalten keine Nachrichten mehr.",
        LinkInvalid = "Dieser Link ist ungültig (vielleicht abgelaufen, oder das Abonnement wurde beendet).",
        FormHasErrors = "Bitte korrigieren Sie die markierten Felder.",
        Words = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ComponentStatus.Operational] = "Betriebsbereit",
            [ComponentStatus.DegradedPerformance] = "Eingeschränkte Leistung",
            [ComponentStatus.PartialOutage] = "Teilweiser Ausfall",
            [ComponentStatus.MajorOutage] = "Schwerer Ausfall",
            [ComponentStatus.UnderMaintenance] = "In Wartung",
            [IncidentStatus.Investigating] = "Wird untersucht",
            [IncidentStatus.Identified] = "Ursache gefunden",
            [IncidentStatus.Monitoring] = "Beobachtung",
            [IncidentStatus.Resolved] = "Behoben",
            [IncidentStatus.Postmortem] = "Nachbetrachtung",
            [MaintenanceStatus.Scheduled] = "Geplant",
            [MaintenanceStatus.InProgress] = "In Arbeit",
            [MaintenanceStatus.Verifying] = "Wird überprüft",
            [MaintenanceStatus.Completed] = "Abgeschlossen",
            ["cancelled"] = "Abgesagt",
            ["impact:none"] = "Keine",
            ["impact:minor"] = "Gering",
            ["impact:major"] = "Erheblich",
            ["impact:critical"] = "Kritisch",
            ["impact:maintenance"] = "Wartung",
            ["All Systems Operational"] = "Alle Systeme betriebsbereit",
            ["Major System Outage"] = "Schwerer Systemausfall",
            ["Partial System Outage"] = "Teilweiser Systemausfall",
            ["Minor Service Outage"] = "Geringfügige Dienststörung",
            ["Degraded System Service"] = "Eingeschränkter Systembetrieb",
            ["Partially Degraded Service"] = "Teilweise eingeschränkter Dienst",
            ["Service Under Maintenance"] = "Wartungsarbeiten",
            ["Major Service Outage"] = "Schwerer Dienstausfall",
            [SubscriptionChannel.Email] = "E-Mail",
            [SubscriptionChannel.Sms] = "SMS",
            [SubscriptionChannel.Webhook] = "Webhook",
            [SubscriptionChannel.Slack] = "Slack",
            [SubscriptionChannel.Teams] = "Microsoft Teams",
            [SubscriptionChannel.Discord] = "Discord",
            [SubscriptionChannel.Mattermost] = "Mattermost",
            [SubscriptionChannel.GoogleChat] = "Google Chat",
        },
    };

    /// <summary>
    /// The language of a request: <c>?lang=</c> when given (explicit, so links keep it), else the first of en/de in
    /// Accept-Language by quality, else English. An unknown <c>lang</c> is the caller's mistake and is answered as such.
    /// </summary>
    public static (Texts? Texts, bool Explicit, string? Error) Choose(HttpRequest request)
    {
        var asked = request.Query["lang"];
        if (asked.Count > 0)
        {
            var lang = asked[0]?.Trim().ToLowerInvariant();
            return lang is English or German
                ? (For(lang), true, null)
                : (null, true, $"Unknown language '{asked[0]}': use lang=en or lang=de.");
        }
        var preferred = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is null or > 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value?.Split('-')[0].ToLowerInvariant())
            .FirstOrDefault(l => l is English or German);
        return (For(preferred ?? English), false, null);
    }
}
